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
    if (!box || event.detail.elt !== box) return;
    // The first 8 characters of each id (web/tasks.py SHOWN_PREFIX) keep the URL short.
    event.detail.parameters.shown = shownIds(box).map((id) => id.slice(0, 8)).join(',');
  });

  // After «показать» the link is gone: focus goes to the first new row, not to the page start.
  let before = null;
  document.addEventListener('htmx:beforeRequest', (event) => {
    if (event.detail.elt.matches && event.detail.elt.matches('[data-show-new]')) {
      before = new Set(shownIds(rowsBox()));
    }
  });
  // hx-sync on the link cancels a refresh in flight, so no older answer undoes «показать».
  document.addEventListener('htmx:afterSettle', (event) => {
    const config = event.detail.requestConfig;
    if (before === null || !config || !config.elt.matches('[data-show-new]')) return;
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

// Keyboard shortcuts (by key position, so they work in the Russian layout too): j / k the next
// or previous task, o opens it, c claims or releases it, ? shows the help. Typing in a field
// never triggers them.
(function () {
  'use strict';

  const help = document.getElementById('shortcut-help');

  function typing(target) {
    return target.closest && target.closest('input, select, textarea, [contenteditable], dialog');
  }

  function rows() {
    return Array.from(document.querySelectorAll('#task-rows tr[data-task-id]'));
  }

  function currentRow() {
    return document.activeElement && document.activeElement.closest
      ? document.activeElement.closest('#task-rows tr[data-task-id]')
      : null;
  }

  function move(step) {
    const all = rows();
    if (all.length === 0) return;
    const at = all.indexOf(currentRow());
    const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    const link = all[next].querySelector('a');
    link.focus();
    all[next].scrollIntoView({ block: 'nearest' });
  }

  function act(selector) {
    const row = currentRow();
    const target = row && row.querySelector(selector);
    if (!target) return;
    // Claiming reloads the list: the same row takes the focus back (see below).
    if (target.type === 'submit') sessionStorage.setItem('reglament.focusTask', row.dataset.taskId);
    target.click();
  }

  const back = sessionStorage.getItem('reglament.focusTask');
  if (back) {
    sessionStorage.removeItem('reglament.focusTask');
    const row = document.getElementById('task-' + back);
    const link = row && row.querySelector('a');
    if (link) link.focus();
  }

  const keys = {
    KeyJ: () => move(1),
    KeyK: () => move(-1),
    KeyO: () => act('td a'),
    KeyC: () => act('td.actions button'),
  };

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (event.key === '?' || (event.code === 'Slash' && event.shiftKey)) {
      if (help) help.showModal();
      event.preventDefault();
      return;
    }
    const handler = !event.shiftKey && keys[event.code];
    if (handler) {
      handler();
      event.preventDefault();
    }
  });

  document.querySelectorAll('[data-open-help]').forEach((button) => {
    button.addEventListener('click', () => help && help.showModal());
  });
  if (help) {
    help.querySelector('[data-close]').addEventListener('click', () => help.close());
  }
})();

// On a phone the filters fold behind a button (open again when one is chosen or searched).
(function () {
  'use strict';

  const toggle = document.querySelector('.filters-toggle');
  const form = document.getElementById('task-filters');
  if (!toggle || !form) return;
  const narrow = window.matchMedia('(max-width: 860px)');

  const save = document.querySelector('.save-filter');

  function set(open) {
    form.classList.toggle('collapsed', !open);
    if (save) save.classList.toggle('collapsed', !open);
    toggle.setAttribute('aria-expanded', String(open));
  }

  function fit() {
    toggle.hidden = !narrow.matches;
    set(!narrow.matches);
  }

  toggle.addEventListener('click', () => set(toggle.getAttribute('aria-expanded') !== 'true'));
  narrow.addEventListener('change', fit);
  fit();
})();
