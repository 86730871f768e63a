// Draws two versions of a regulation side by side with bpmn-js and marks what changed.
(function () {
  if (!window.BpmnJS) return;
  document.querySelectorAll('.version-diagram').forEach((container) => {
    const marks = (name) => JSON.parse(container.dataset[name] || '[]');
    const viewer = new window.BpmnJS({ container });
    fetch(container.dataset.xmlUrl, { credentials: 'same-origin' })
      .then((response) => response.text())
      .then((xml) => viewer.importXML(xml))
      .then(() => {
        const canvas = viewer.get('canvas');
        const registry = viewer.get('elementRegistry');
        canvas.zoom('fit-viewport');
        for (const marker of ['added', 'removed', 'changed']) {
          for (const id of marks(marker)) {
            if (registry.get(id)) canvas.addMarker(id, 'diff-' + marker);
          }
        }
        container.dataset.ready = 'true';
      })
      .catch((error) => {
        container.textContent = container.dataset.errorText + ' ' + error.message;
        container.dataset.ready = 'error';
      });
  });
})();
