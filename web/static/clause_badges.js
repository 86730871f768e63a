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
      overlays.add(id, TYPE, { position: { top: -15, left: 0 }, html: badge });
    }
  }

  // engine/bpmn/catalog.py's CLAUSE_PATTERN: «Пермь, п. 3.2.1», «Пример, пп. 5.1–5.3».
  const CLAUSE = /«?([А-ЯЁ][а-яё-]+),\s*пп?\.\s*(\d+(?:\.\d+)*(?:\s*[–-]\s*\d+(?:\.\d+)*)?)»?/gu;

  function citedIn(text) {
    const found = [];
    for (const match of text.matchAll(CLAUSE)) {
      const clause = `${match[1]}, п. ${match[2].replace(/ /g, '')}`;
      if (!found.includes(clause)) found.push(clause);
    }
    return found;
  }

  function drawFromDiagram(viewer) {
    // A viewer without the server's clause map (the case card) reads each element's documentation.
    const clauses = {};
    viewer.get('elementRegistry').forEach((element) => {
      const docs = (element.businessObject && element.businessObject.documentation) || [];
      const cited = citedIn(docs.map((doc) => doc.text || '').join('\n'));
      if (cited.length) clauses[element.id] = cited;
    });
    draw(viewer, clauses);
  }

  window.ReglamentClauseBadges = { draw, drawFromDiagram, citedIn };
})();
