// Receiving works without this file; it adds the +/- steppers, each line's outcome as it is
// counted, and the summary of discrepancies shown before the counts are saved.
(function () {
  "use strict";
  var form = document.querySelector("[data-count-form]");
  if (!form) return;
  var lines = Array.prototype.slice.call(form.querySelectorAll("[data-line]"));

  function units(input) {
    var value = parseInt(input.value, 10);
    return isNaN(value) || value < 0 ? 0 : value;
  }

  // The same derivation as the server's (suppliers/counting.py): over, damaged, short, received.
  function outcome(line) {
    var expected = parseInt(line.getAttribute("data-expected"), 10) || 0;
    var good = units(line.querySelector('[data-kind="good"]'));
    var damaged = units(line.querySelector('[data-kind="damaged"]'));
    var counted = good + damaged;
    if (counted === 0) return { kind: "missing", text: expected ? "Not arrived: " + expected + " missing" : "Nothing to count" };
    var parts = [];
    if (counted > expected) parts.push((counted - expected) + " over");
    if (damaged) parts.push(damaged + " damaged");
    if (counted < expected) parts.push((expected - counted) + " short");
    if (!parts.length) return { kind: "received", text: "As expected" };
    return { kind: "differs", text: parts.join(", ") };
  }

  function refresh() {
    var differing = [];
    lines.forEach(function (line) {
      var found = outcome(line);
      var shown = line.querySelector("[data-outcome]");
      shown.textContent = found.text;
      shown.className = "count-outcome " + (found.kind === "received" ? "good" : "bad");
      line.classList.toggle("differs", found.kind !== "received");
      if (found.kind !== "received") differing.push(line.getAttribute("data-sku") + ": " + found.text);
    });
    var summary = form.querySelector("[data-summary]");
    summary.textContent = "";
    var head = document.createElement("p");
    if (!differing.length) {
      head.textContent = "All " + lines.length + " line" + (lines.length === 1 ? "" : "s") + " as expected.";
      summary.appendChild(head);
      return;
    }
    head.textContent = differing.length + " of " + lines.length + " line" + (lines.length === 1 ? "" : "s") + " differ from what was " + (form.getAttribute("data-compared") || "declared") + ":";
    summary.appendChild(head);
    var list = document.createElement("ul");
    differing.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    summary.appendChild(list);
  }

  form.querySelectorAll("button[data-step]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-for"));
      input.value = Math.max(0, units(input) + parseInt(button.getAttribute("data-step"), 10));
      refresh();
    });
  });
  form.addEventListener("input", refresh);
  // A scanner sends Enter after each code: inside the count it must not save the form.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && event.target.type !== "submit") {
      event.preventDefault();
    }
  });
  // One save per tap: a second tap while the first is on its way sends nothing (the server
  // would find the same counts anyway). Coming back to the page (Back) allows saving again.
  var saving = false;
  var save = form.querySelector(".count-save");
  var label = save.textContent;
  // Photos the server would refuse are said here, before minutes of upload from the dock:
  // 5 MB a photo, and the whole form within the server's 8 MiB.
  var PHOTO_LIMIT = 5000000, BODY_LIMIT = 8 * 1024 * 1024 - 64 * 1024;
  function photoProblem() {
    var total = 0, problem = "";
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        total += file.size;
        if (!problem && file.size > PHOTO_LIMIT) problem = file.name + " is larger than 5 MB: take it again at a lower resolution.";
      });
    });
    if (!problem && total > BODY_LIMIT) problem = "The photos together are larger than 8 MB: save with fewer photos, then count the rest with a new form.";
    return problem;
  }
  form.addEventListener("submit", function (event) {
    if (saving) { event.preventDefault(); return; }
    var problem = photoProblem();
    if (problem) {
      event.preventDefault();
      var summary = form.querySelector("[data-summary]");
      var said = document.createElement("p");
      said.className = "notice bad";
      said.setAttribute("role", "alert");
      said.textContent = problem;
      summary.appendChild(said);
      return;
    }
    saving = true;
    save.textContent = "Saving…";
  });
  window.addEventListener("pageshow", function () {
    saving = false;
    save.textContent = label;
    refresh();
  });
  refresh();
})();
