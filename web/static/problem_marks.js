// Marks the elements a deploy check refused on a bpmn-js diagram, with the message on hover.
// Used by the modeler (live checks) and the versions upload page (a refused upload).
(function () {
  const TYPE = 'reglament-problem';
  const MARKER = 'check-problem';

  function mark(viewer, problems) {
    const overlays = viewer.get('overlays');
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    overlays.remove({ type: TYPE });
    registry.forEach((element) => canvas.removeMarker(element, MARKER));
    const byElement = {};
    for (const problem of problems) {
      if (problem.element_id && registry.get(problem.element_id)) {
        (byElement[problem.element_id] = byElement[problem.element_id] || []).push(problem.message);
      }
    }
    for (const [id, messages] of Object.entries(byElement)) {
      canvas.addMarker(id, MARKER);
      const flag = document.createElement('span');
      flag.className = 'problem-flag';
      flag.textContent = '!';
      flag.title = messages.join('\n');
      flag.dataset.elementId = id;
      overlays.add(id, TYPE, { position: { top: -10, right: 10 }, html: flag });
    }
    return Object.keys(byElement);
  }

  function showUploadProblems() {
    // The upload page: the refused diagram with the refused elements marked.
    const container = document.getElementById('refused-diagram');
    if (!container || !window.BpmnJS) return;
    const source = document.getElementById('refused-xml');
    const problems = JSON.parse(container.dataset.problems || '[]');
    const viewer = new window.BpmnJS({ container });
    viewer
      .importXML(source.value)
      .then(() => {
        viewer.get('canvas').zoom('fit-viewport');
        mark(viewer, problems);
        container.dataset.ready = 'true';
      })
      .catch((error) => {
        container.textContent = container.dataset.errorText + ' ' + error.message;
        container.dataset.ready = 'error';
      });
  }

  window.ReglamentProblemMarks = { mark };
  showUploadProblems();
})();
