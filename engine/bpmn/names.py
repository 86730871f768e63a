"""The data names a diagram reads: in conditions, scripts, timers and multi-instance inputs."""

from __future__ import annotations

import ast
from typing import Any

from engine.bpmn.catalog import BPMN_NS, SPIFF_NS

# Elements whose text is a Python expression or script evaluated on the task data.
CODE_TAGS = (
    f"{{{BPMN_NS}}}conditionExpression",
    f"{{{BPMN_NS}}}script",
    f"{{{BPMN_NS}}}timeDate",
    f"{{{BPMN_NS}}}timeDuration",
    f"{{{BPMN_NS}}}timeCycle",
    f"{{{BPMN_NS}}}completionCondition",
    f"{{{BPMN_NS}}}loopCardinality",
)
# Elements whose text, or task properties whose value, is a data name read as it is.
NAME_TAGS = (f"{{{BPMN_NS}}}loopDataInputRef",)
NAME_PROPERTIES = frozenset({"department_field"})


def names_read(root: Any) -> set[str]:
    """Every data name the diagram's code reads (assignments alone do not count)."""
    found: set[str] = set()
    for tag in CODE_TAGS:
        for node in root.iter(tag):
            found |= _loaded_names((node.text or "").strip())
    for tag in NAME_TAGS:
        found |= {(node.text or "").strip() for node in root.iter(tag)}
    for prop in root.iter(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") in NAME_PROPERTIES:
            found.add(prop.get("value", ""))
    found.discard("")
    return found


def _loaded_names(source: str) -> set[str]:
    if not source:
        return set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()  # the deploy's own checks report it with the element id
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
