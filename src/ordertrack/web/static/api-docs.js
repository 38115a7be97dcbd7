// Starts Swagger UI on /docs. A file, not an inline script, so the page keeps its strict CSP.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url") || "/openapi.json",
    dom_id: "#swagger-ui",
    // Deep links would put a link inside each operation's toggle button (a control inside a control).
    deepLinking: false,
    // Swagger UI would otherwise ask validator.swagger.io about the document.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
