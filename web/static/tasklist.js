// The task list keeps its place: every refresh tells the server which rows are on screen, so
// those rows update in place (idiomorph) and new tasks wait behind «Новых задач: N — показать».
(function () {
  'use strict';

  function rowsBox() {
    return document.getElementById('task-rows');
  }

  function shownIds(box) {
    return Array.from(box.querySelectorAll('tr[data-task-id]')).map((row) => row.dataset.taskId);
  }

  document.addEventListener('htmx:configRequest', (event) => {
    const box = rowsBox();
    if (box && event.detail.elt === box) event.detail.parameters.shown = shownIds(box).join(',');
  });

  // After «показать» the link is gone: focus goes to the first new row, not to the page start.
  let before = null;
  document.addEventListener('htmx:beforeRequest', (event) => {
    if (event.detail.elt.matches && event.detail.elt.matches('[data-show-new]')) {
      before = new Set(shownIds(rowsBox()));
    }
  });
  document.addEventListener('htmx:afterSettle', () => {
    if (before === null) return;
    const seen = before;
    before = null;
    const box = rowsBox();
    const fresh = Array.from(box.querySelectorAll('tr[data-task-id]')).find(
      (row) => !seen.has(row.dataset.taskId),
    );
    const link = (fresh || box).querySelector('a');
    if (link) link.focus();
  });
})();
