// The REST API's documentation (Swagger UI, served from the package: no CDN, no inline script).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
});
