// Draws the case's regulation with bpmn-js and marks the path taken, current and overdue steps.
(function () {
  const container = document.getElementById('diagram');
  if (!container || !window.BpmnJS) return;
  const marks = (name) => JSON.parse(container.dataset[name] || '[]');
  const viewer = new window.BpmnJS({ container });

  function markPath(completed) {
    // A flow is on the path when both its ends were passed.
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    const passed = new Set(completed);
    registry.filter((element) => element.type === 'bpmn:SequenceFlow').forEach((flow) => {
      const source = flow.businessObject.sourceRef && flow.businessObject.sourceRef.id;
      const target = flow.businessObject.targetRef && flow.businessObject.targetRef.id;
      if (passed.has(source) && (passed.has(target) || marks('current').includes(target))) {
        canvas.addMarker(flow.id, 'completed');
      }
    });
  }

  fetch(container.dataset.xmlUrl, { credentials: 'same-origin' })
    .then((response) => response.text())
    .then((xml) => viewer.importXML(xml))
    .then(() => {
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      for (const [name, marker] of [['completed', 'completed'], ['current', 'current'], ['overdue', 'overdue']]) {
        for (const id of marks(name)) {
          if (registry.get(id)) canvas.addMarker(id, marker);
        }
      }
      markPath(marks('completed'));
      // The deadline table's own words on each timer that names a row: the label drawn in the
      // diagram may be stale, the table is the single source (docs/deadlines.md).
      const overlays = viewer.get('overlays');
      const terms = JSON.parse(container.dataset.terms || '{}');
      for (const [id, term] of Object.entries(terms)) {
        if (!registry.get(id)) continue;
        const badge = document.createElement('span');
        badge.className = 'term-badge';
        badge.textContent = term;
        overlays.add(id, 'term', { position: { bottom: -6, left: 30 }, html: badge });
      }
      if (window.ReglamentClauseBadges) window.ReglamentClauseBadges.drawFromDiagram(viewer);
      container.dataset.ready = 'true';
    })
    .catch((error) => {
      container.textContent = container.dataset.errorText + ' ' + error.message;
      container.dataset.ready = 'error';
    });
})();
