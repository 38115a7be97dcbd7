// Live updates for the shopper's tracking page. The page works without this script; with
// it, a server-sent "update" event makes it fetch the changed part of the page and swap it
// in, and the change is announced to screen readers through the aria-live region.
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var announcer = document.getElementById("live-announcer");
  var busy = false;
  var again = false;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-content");
    var current = document.getElementById("live-content");
    if (!fresh || !current) {
      return;
    }
    var focused = document.activeElement;
    var focusedId = focused && current.contains(focused) ? focused.id : "";
    current.replaceWith(document.importNode(fresh, true));
    if (focusedId && document.getElementById(focusedId)) {
      document.getElementById(focusedId).focus();
    }
    if (announcer) {
      announcer.textContent = fresh.getAttribute("data-announce") || "";
    }
    root.setAttribute("data-updated", String(Date.now()));
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(root.getAttribute("data-fragment"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          swap(html);
        }
      })
      .catch(function () {
        // A failed refresh is retried on the next update; the page stays as it was.
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("update", refresh);
})();
