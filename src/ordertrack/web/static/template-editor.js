// Message template editor: the preview follows what is typed. Without this file the
// "Preview" button does the same on demand (it posts the form into the preview frame).
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var button = document.getElementById("preview-button");
  if (!form || !button || typeof form.requestSubmit !== "function") {
    return;
  }
  var timer = null;
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      form.requestSubmit(button);
    }, 700);
  });
})();
