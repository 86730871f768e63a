"""The names a diagram's code reads, and the names the engine, the forms and the diagram provide.

One analysis serves the deploy's name and sample checks and the report of form fields nothing
reads (engine/forms/usage.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.catalog import BPMN_NS, NS, SPIFF_NS
from engine.forms.declaration import ENGINE_NAMES
from engine.forms.spec import FieldSpec, FormSpec, provided_names

# Elements whose text, or task properties whose value, is a data name read as it is.
NAME_TAGS = (f"{{{BPMN_NS}}}loopDataInputRef",)
NAME_PROPERTIES = frozenset({"department_field"})
MOMENT_NAMES = frozenset({"received_at", "last_completed_at"})
# Each kind of code in Russian, for refusals a lawyer reads.
CODE_KINDS = {
    "condition": "условие",
    "timer": "выражение таймера",
    "script": "скрипт",
    "preScript": "скрипт перед задачей",
    "postScript": "скрипт после задачи",
    "loopCardinality": "число повторений",
    "completionCondition": "условие завершения",
}


@dataclass(frozen=True)
class Code:
    """One piece of diagram code: where it is and what it is."""

    element_id: str
    element_name: str
    what: str  # "timer", "condition", "script", ...
    source: str
    mode: str  # "eval" or "exec"
    kind: str | None = None  # a timer's timeDate / timeDuration / timeCycle


@dataclass
class Provided:
    """Names a process's code may read, and where each comes from."""

    forms: dict[str, FormSpec] = field(default_factory=dict)  # the forms user tasks name
    scripted: set[str] = field(default_factory=set)  # assigned by a script
    data: set[str] = field(default_factory=set)  # multi-instance, message variables, data objects
    messages: set[str] = field(default_factory=set)  # message variables (a message's fields)
    user_tasks: set[str] = field(default_factory=set)

    @property
    def assigned(self) -> set[str]:
        """Names the diagram itself sets (scripts and its data)."""
        return self.scripted | self.data

    @property
    def form_fields(self) -> dict[str, FieldSpec]:
        """Each name the forms put into a case, with its declared field."""
        return {spec.name: spec for form in self.forms.values() for spec in form.fields}

    def all(self, functions: set[str]) -> set[str]:
        """Every name code in this process may read."""
        return set(ENGINE_NAMES) | provided_names(self.forms) | self.assigned | functions


def reads(source: str, mode: str) -> set[str]:
    """The free names a piece of code reads that it does not set itself (what must be provided)."""
    tree = ast.parse(source, mode=mode)
    return loads(tree) - (assigns(tree) if mode == "exec" else set())


def loads(tree: ast.AST) -> set[str]:
    """Every free name a piece of code loads (comprehension variables are bound in it)."""
    reader = _Reads()
    reader.visit(tree)
    return reader.found


def assigns(tree: ast.AST) -> set[str]:
    """Names a script stores into (assignments, for targets, deletions)."""
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del)
    }


def completed_at_keys(source: str, mode: str) -> set[str]:
    """Literal keys of `completed_at["<element id>"]` in a piece of code."""
    return {
        node.slice.value
        for node in ast.walk(ast.parse(source, mode=mode))
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "completed_at"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    }


class _Reads(ast.NodeVisitor):
    """Collects loaded names not bound by an enclosing comprehension."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self.bound: list[set[str]] = []

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and not any(node.id in scope for scope in self.bound):
            self.found.add(node.id)

    def _comprehension(self, node: Any, results: list[ast.expr]) -> None:
        self.visit(node.generators[0].iter)  # evaluated outside the comprehension's scope
        self.bound.append(set())
        for number, generator in enumerate(node.generators):
            if number:
                self.visit(generator.iter)
            self.bound[-1] |= assigns(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)
        self.bound.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])


def names_read(root: Any) -> set[str]:
    """Every data name the diagram reads: its code, multi-instance inputs, department fields.

    A name a script reads and then sets (`answer_text = answer_text + ...`) counts as read.
    """
    found: set[str] = set()
    for code in diagram_code(root):
        try:
            found |= loads(ast.parse(code.source, mode=code.mode))
        except SyntaxError:
            continue  # compiling the code reports it with the element id
    for tag in NAME_TAGS:
        found |= {(node.text or "").strip() for node in root.iter(tag)}
    for prop in root.iter(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") in NAME_PROPERTIES:
            found.add(prop.get("value", ""))
    found.discard("")
    return found


def diagram_provides(root: Any, forms: Mapping[str, FormSpec]) -> Provided:
    """What the version's forms named by user tasks, the scripts and the diagram's data give."""
    provided = Provided()
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        provided.user_tasks.add(task.get("id"))
        form = _form_of(task)
        if form is not None and form in forms:
            provided.forms[form] = forms[form]
    for code in diagram_code(root):
        if code.mode == "exec":
            try:
                provided.scripted |= assigns(ast.parse(code.source))
            except SyntaxError:
                continue  # compiling the script reports it with its line
    provided.data = set(_data_names(root))
    provided.messages = {
        (node.text or "").strip() for node in root.iter(f"{{{SPIFF_NS}}}messageVariable")
    } - {""}
    return provided


def _form_of(task: Any) -> str | None:
    for prop in task.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
    ):
        if prop.get("name") == "form":
            value: str | None = prop.get("value")
            return value
    return None


def _data_names(root: Any) -> Iterator[str]:
    """Multi-instance items and collections, message variables, data objects and io data."""
    for tag in ("loopDataInputRef", "loopDataOutputRef"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if (node.text or "").strip():
                yield node.text.strip()
    for tag in ("inputDataItem", "outputDataItem", "dataObject", "dataInput", "dataOutput"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            yield from (value for value in (node.get("id"), node.get("name")) if value)
    for node in root.iter(f"{{{SPIFF_NS}}}messageVariable"):
        if (node.text or "").strip():
            yield node.text.strip()
    for node in root.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
        if node.get("resultVariable"):
            yield node.get("resultVariable")


def diagram_code(root: Any) -> Iterator[Code]:
    """Every expression and script in a BPMN document, with the element it belongs to."""
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            yield _code(flow, "condition", condition.text.strip(), "eval")
    for kind in ("timeDate", "timeDuration", "timeCycle"):
        for node in root.iter(f"{{{BPMN_NS}}}{kind}"):
            event = node.getparent().getparent()
            if kind == "timeCycle" and event.tag == f"{{{BPMN_NS}}}startEvent":
                continue  # a duty's schedule (engine/duties), not an expression
            if (node.text or "").strip():
                yield _code(event, "timer", node.text.strip(), "eval", kind)
    for task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        script = task.find("bpmn:script", NS)
        if script is not None and (script.text or "").strip():
            yield _code(task, "script", script.text, "exec")
    for tag in ("preScript", "postScript"):
        for node in root.iter(f"{{{SPIFF_NS}}}{tag}"):
            if (node.text or "").strip():
                yield _code(node.getparent().getparent(), tag, node.text, "exec")
    for tag in ("loopCardinality", "completionCondition"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if (node.text or "").strip():
                yield _code(node.getparent().getparent(), tag, node.text.strip(), "eval")


def _code(element: Any, what: str, source: str, mode: str, kind: str | None = None) -> Code:
    return Code(element.get("id") or "", element.get("name") or "", what, source, mode, kind)
