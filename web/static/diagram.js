// Draws the case's regulation with bpmn-js (the navigated viewer: drag to pan, Ctrl+wheel to
// zoom), marks the path taken, current and overdue steps, and opens centred on the current step
// at a readable scale. Other modules draw on it through the `diagram:ready` event (see below).
(function () {
  const container = document.getElementById('diagram');
  if (!container || !window.BpmnJS) return;
  const marks = (name) => JSON.parse(container.dataset[name] || '[]');
  const viewer = new window.BpmnJS({ container });
  const READABLE = 1.0; // labels at their drawn size (11–12 px); fitting a wide regulation made them 5 px

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

  function focusOn(ids) {
    // Centre the view on the given elements (the current steps) at a readable scale.
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const shapes = ids.map((id) => registry.get(id)).filter(Boolean);
    if (shapes.length === 0) {
      canvas.zoom('fit-viewport');
      if (canvas.zoom() > READABLE) canvas.zoom(READABLE);
      return;
    }
    const left = Math.min(...shapes.map((s) => s.x));
    const top = Math.min(...shapes.map((s) => s.y));
    const right = Math.max(...shapes.map((s) => s.x + s.width));
    const bottom = Math.max(...shapes.map((s) => s.y + s.height));
    const size = canvas.getSize();
    const width = size.width / READABLE;
    const height = size.height / READABLE;
    canvas.viewbox({
      x: (left + right) / 2 - width / 2,
      y: (top + bottom) / 2 - height / 2,
      width,
      height,
    });
  }

  function quietLogo() {
    // The bpmn.io logo stays visible (its licence), but is no focusable link beside the image;
    // the drawing itself is the image, focusable so that the arrow keys move it.
    container.querySelectorAll('a').forEach((link) => {
      link.setAttribute('tabindex', '-1');
      link.setAttribute('aria-hidden', 'true');
    });
    const drawing = container.querySelector('svg');
    if (drawing) {
      drawing.setAttribute('role', 'img');
      drawing.setAttribute('aria-label', container.dataset.imageLabel || '');
    }
  }

  function wireButtons() {
    const canvas = viewer.get('canvas');
    const actions = {
      in: () => canvas.zoom(canvas.zoom() * 1.25),
      out: () => canvas.zoom(canvas.zoom() / 1.25),
      fit: () => canvas.zoom('fit-viewport'),
      current: () => focusOn(marks('current')),
    };
    document.querySelectorAll('[data-diagram-zoom]').forEach((button) => {
      button.addEventListener('click', () => {
        actions[button.dataset.diagramZoom]();
        container.dataset.zoom = canvas.zoom().toFixed(2);
      });
      button.disabled = false;
    });
  }

  fetch(container.dataset.xmlUrl, { credentials: 'same-origin' })
    .then((response) => response.text())
    .then((xml) => viewer.importXML(xml))
    .then(() => {
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
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
      focusOn(marks('current'));
      quietLogo();
      wireButtons();
      container.dataset.zoom = canvas.zoom().toFixed(2);
      if (window.ReglamentClauseBadges) window.ReglamentClauseBadges.drawFromDiagram(viewer);
      container.dataset.ready = 'true';
      // The hook for other drawings (clause badges): listen on #diagram for `diagram:ready`;
      // detail.viewer is the bpmn-js viewer (its 'overlays', 'elementRegistry', 'canvas').
      window.reglamentDiagram = viewer;
      container.dispatchEvent(new CustomEvent('diagram:ready', { detail: { viewer } }));
    })
    .catch((error) => {
      container.textContent = container.dataset.errorText + ' ' + error.message;
      container.dataset.ready = 'error';
    });
})();
