// The header's unread counter: keep the tab's title «(3) …» in step with it, and let htmx swap
// a refused comment (422) so its Russian errors appear beside the fields.
(function () {
  "use strict";
  const prefix = /^\(\d+\) /;
  function syncTitle() {
    const counter = document.getElementById("inbox-counter");
    if (!counter) return;
    const unread = parseInt(counter.dataset.unread || "0", 10);
    const bare = document.title.replace(prefix, "");
    document.title = unread > 0 ? "(" + unread + ") " + bare : bare;
  }
  document.addEventListener("htmx:afterSettle", syncTitle);
  document.addEventListener("htmx:load", syncTitle);
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && event.detail.target.id === "comments") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("DOMContentLoaded", syncTitle);
})();
