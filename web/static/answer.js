// The answer on a task page: a copy button per draft (the curator pastes it into the channel)
// and a character counter under the answer's text field, against the channel's limit.
(function () {
  'use strict';

  document.querySelectorAll('button.copy[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      const source = document.getElementById(button.dataset.copy);
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = button.dataset.copied || '✓';
      });
    });
  });

  document.querySelectorAll('textarea[data-limit]').forEach(function (area) {
    const counter = document.createElement('p');
    counter.className = 'field-help';
    counter.setAttribute('aria-live', 'polite');
    area.insertAdjacentElement('afterend', counter);
    const limit = Number(area.dataset.limit);
    function update() {
      const count = area.value.length;
      counter.textContent = count + ' / ' + limit;
      counter.classList.toggle('over-limit', count > limit);
    }
    area.addEventListener('input', update);
    update();
  });
})();
