// Clause badges on a bpmn-js diagram: each element shows the clauses of the regulation it cites.
// Shared by the modeler and any viewer (the case card): ReglamentClauseBadges.draw(viewer, map).
(function () {
  const TYPE = 'reglament-clause';

  function label(clauses) {
    // «Пермь, п. 3.2.1» → «п. 3.2.1»: the town is the same on every badge of one diagram.
    return clauses.map((clause) => clause.replace(/^[^,]+,\s*/, '')).join(' · ');
  }

  function draw(viewer, clauses) {
    const overlays = viewer.get('overlays');
    const registry = viewer.get('elementRegistry');
    overlays.remove({ type: TYPE });
    for (const [id, cited] of Object.entries(clauses || {})) {
      const element = registry.get(id);
      if (!element || !cited.length || element.type === 'bpmn:Lane') continue;
      const badge = document.createElement('span');
      badge.className = 'clause-badge';
      badge.textContent = label(cited);
      badge.title = cited.join('; ');
      badge.dataset.elementId = id;
      overlays.add(id, TYPE, { position: { bottom: 2, left: 0 }, html: badge });
    }
  }

  window.ReglamentClauseBadges = { draw };
})();
