// The channel preview at publication follows the answer's text field as the curator edits it.
(function () {
  'use strict';

  const preview = document.getElementById('channel-preview');
  if (!preview) return;
  const area = document.getElementById(preview.dataset.source);
  const text = document.getElementById('preview-text');
  const count = document.getElementById('preview-count');
  const over = document.getElementById('preview-over');
  const limit = Number(preview.dataset.limit) || 0;
  if (!area) return;

  function update() {
    text.textContent = area.value;
    count.textContent = String(area.value.length);
    if (over) over.hidden = !(limit && area.value.length > limit);
  }

  area.addEventListener('input', update);
  update();
})();
