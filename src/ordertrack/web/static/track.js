// Live updates for the shopper's tracking page. The page works without this script; with
// it, an "update" message on the page's WebSocket makes it fetch the changed part of the
// page and swap it in, and the change is announced to screen readers through the aria-live
// region. A WebSocket, not an EventSource: browsers share 6 HTTP/1.1 connections per host
// between all tabs, and an open EventSource holds one of them for as long as its page is
// open, so with six pages open no page could fetch anything. WebSockets are not counted there.
// If a WebSocket can never be opened (a proxy that refuses them), the page checks for
// changes every 30 seconds instead.
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  if (!root || !window.fetch || !window.DOMParser) {
    return;
  }
  var POLL_MS = 30000;
  var announcer = document.getElementById("live-announcer");
  var busy = false;
  var again = false;
  var failures = 0;
  var everOpened = false;
  var polling = null;

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

  function marker() {
    var current = document.getElementById("live-content");
    return (current && current.getAttribute("data-marker")) || "";
  }

  function poll() {
    if (!polling) {
      polling = window.setInterval(refresh, POLL_MS);
    }
  }

  function connect() {
    var socket;
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    try {
      // The page tells the server what it shows, so a change made before the socket
      // opened (or while it was reconnecting) is sent at once.
      socket = new WebSocket(
        scheme + "//" + window.location.host + root.getAttribute("data-socket") +
          "?since=" + encodeURIComponent(marker())
      );
    } catch (error) {
      poll();
      return;
    }
    socket.onopen = function () {
      everOpened = true;
      failures = 0;
      root.setAttribute("data-live", "socket");
    };
    socket.onmessage = refresh;
    socket.onclose = function () {
      root.removeAttribute("data-live");
      failures += 1;
      if (!everOpened && failures >= 3) {
        root.setAttribute("data-live", "polling");
        poll();
        return;
      }
      // Back off (1 s, 2 s, 4 s ... 30 s, with jitter so a restarted server is not
      // met by every page at the same instant).
      var wait = Math.min(30000, 1000 * Math.pow(2, failures - 1)) + Math.random() * 1000;
      window.setTimeout(connect, wait);
    };
  }

  if (window.WebSocket) {
    connect();
  } else {
    poll();
  }
})();
