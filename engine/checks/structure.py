"""Checks of the diagram's structure, run before SpiffWorkflow's parser misleads about them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.bpmn.catalog import BPMN_NS, FLOW_NODE_TAGS
from engine.checks.context import CheckContext, describe
from engine.checks.registry import STRUCTURE, Problem, register_check


@register_check("duplicate_ids", STRUCTURE)
def duplicate_ids(context: CheckContext) -> Iterator[Problem]:
    """Two elements with one id (SpiffWorkflow reports an «xs:ID» type error)."""
    seen: dict[str, list[Any]] = defaultdict(list)
    for node in context.root.iter():
        # The schema's xs:ID is unique in the whole file: diagram shapes (bpmndi) count too.
        if isinstance(node.tag, str) and node.get("id"):
            seen[node.get("id")].append(node)
    for element_id, nodes in seen.items():
        if len(nodes) > 1:
            listed = "; ".join(f"строка {n.sourceline}: {describe(n)}" for n in nodes)
            yield context.problem(
                "duplicate_ids",
                f"идентификатор «{element_id}» повторяется у {len(nodes)} элементов ({listed}); "
                "у каждого элемента диаграммы свой идентификатор",
                element_id,
            )


_FLOW_NODES = frozenset(f"{{{BPMN_NS}}}{tag}" for tag in FLOW_NODE_TAGS)


@register_check("flow_ends", STRUCTURE)
def flow_ends(context: CheckContext) -> Iterator[Problem]:
    """Every transition starts and ends at an element (not «perhaps a form has the same ID»)."""
    for flow in context.root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for attribute, what in (("sourceRef", "начинается"), ("targetRef", "ведёт")):
            ref = flow.get(attribute) or ""
            node = context.nodes.get(ref)
            if node is None or node.tag not in _FLOW_NODES:
                target = f"к элементу «{ref}»" if attribute == "targetRef" else f"от «{ref}»"
                yield context.problem(
                    "flow_ends",
                    f"переход {what} {target}, которого нет в диаграмме ({attribute})",
                    flow.get("id"),
                )
    for event in context.root.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        ref = event.get("attachedToRef") or ""
        if ref not in context.nodes:
            yield context.problem(
                "flow_ends",
                f"прикреплено к шагу «{ref}», которого нет в диаграмме",
                event.get("id"),
            )
    for gateway in context.root.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in FLOW_NODE_TAGS)):
        default = gateway.get("default")
        if default and etree.QName(context.nodes.get(default, gateway)).localname != "sequenceFlow":
            yield context.problem(
                "flow_ends",
                f"переход по умолчанию «{default}» не найден среди переходов диаграммы",
                gateway.get("id"),
            )


@register_check("user_task_forms", STRUCTURE)
def user_task_forms(context: CheckContext) -> Iterator[Problem]:
    """Every staff task names a form of the library or of forms.yaml."""
    known = sorted(context.forms)
    for task, form in context.task_forms():
        if not form:
            message = "задача не называет форму (свойство spiffworkflow «form»)"
        elif form not in context.forms:
            message = (
                f"неизвестная форма «{form}»: её нет ни в библиотеке, ни в forms.yaml; "
                f"есть: {', '.join(known)}"
            )
        else:
            continue
        yield context.problem("user_task_forms", message, task.get("id"))
