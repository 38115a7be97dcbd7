// The dashboard works without this file; it adds a copy button and the reader's own time zone.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () { if (status) status.textContent = "Link copied."; },
        function () { input.select(); if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link."; }
      );
    });
  });
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  document.querySelectorAll("option[data-viewer-zone]").forEach(function (option) {
    if (!zone || zone.indexOf("/") < 0) return;
    var select = option.parentNode;
    var taken = Array.prototype.some.call(select.options, function (o) { return o !== option && o.value === zone; });
    if (taken) { option.remove(); return; }
    option.value = zone;
    option.textContent = "Your time (" + zone + ")";
    option.hidden = false;
    option.disabled = false;
  });
})();
