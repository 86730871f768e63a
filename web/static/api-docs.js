// The API's documentation page: Swagger UI on /api/openapi.json (served locally, no CDN).
window.addEventListener("DOMContentLoaded", () => {
  window.ui = window.SwaggerUIBundle({ url: document.body.dataset.spec, dom_id: "#swagger-ui" });
});
