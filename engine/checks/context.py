"""What the checks read: the diagram's XML, its forms, its deadline table, the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

import engine.deadlines  # noqa: F401  (registers deadline(), which diagrams may call)
from engine.bpmn.catalog import BPMN_NS, NS, parse_xml
from engine.bpmn.names import Code, Provided, diagram_code, diagram_provides
from engine.checks.registry import Problem
from engine.forms import FORMS_FILE, FormDeclarationError, FormSpec, declared_in, library
from engine.municipalities import RegulationCalendar, regulation_calendar
from engine.regulation.table import (
    EMPTY_TABLE,
    TABLE_FILE,
    DeadlineTable,
    TableError,
    read_table,
    read_table_yaml,
)
from engine.scripting import diagram_names

# What a lawyer calls each element (the first word of every problem).
ELEMENT_KINDS = {
    "userTask": "задача сотрудника",
    "manualTask": "ручная задача",
    "scriptTask": "автоматический шаг",
    "serviceTask": "служебный шаг",
    "sendTask": "отправка",
    "receiveTask": "ожидание сообщения",
    "task": "шаг",
    "businessRuleTask": "шаг правила",
    "callActivity": "вызов подпроцесса",
    "subProcess": "подпроцесс",
    "startEvent": "начальное событие",
    "endEvent": "конечное событие",
    "intermediateCatchEvent": "промежуточное событие",
    "intermediateThrowEvent": "промежуточное событие",
    "boundaryEvent": "граничное событие",
    "exclusiveGateway": "развилка",
    "parallelGateway": "параллельная развилка",
    "inclusiveGateway": "развилка",
    "eventBasedGateway": "развилка по событиям",
    "sequenceFlow": "переход",
    "lane": "дорожка",
    "process": "процесс",
}


@dataclass
class CheckContext:
    """One version's files as the checks see them."""

    root: Any
    forms: dict[str, FormSpec]
    table: DeadlineTable
    legacy_rows: list[dict[str, Any]] = field(default_factory=list)
    reader: RegulationCalendar | None = None
    nodes: dict[str, Any] = field(default_factory=dict)  # first element of each id
    row_lines: dict[str, int] = field(default_factory=dict)  # deadlines.yaml: row → its line

    def __post_init__(self) -> None:
        for node in self.root.iter():
            if isinstance(node.tag, str) and node.tag.startswith(f"{{{BPMN_NS}}}"):
                element_id = node.get("id")
                if element_id and element_id not in self.nodes:
                    self.nodes[element_id] = node

    @property
    def code(self) -> list[Code]:
        """Every expression and script of the diagram."""
        return list(diagram_code(self.root))

    @property
    def provided(self) -> Provided:
        """What the forms, scripts and data of the diagram give its code."""
        return diagram_provides(self.root, self.forms)

    def forms_known(self) -> bool:
        """Whether every staff task names a form the version has."""
        return all(form in self.forms for _task, form in self.task_forms())

    def task_forms(self) -> list[tuple[Any, str | None]]:
        """Each staff task with the form it names (None: none)."""
        return [(task, task_form(task)) for task in self.root.iter(f"{{{BPMN_NS}}}userTask")]

    def known_names(self) -> set[str]:
        """Every name the diagram's code may read."""
        return self.provided.all(diagram_names())

    def row_problem(self, check: str, message: str, rule: Any) -> Problem:
        """A problem of a row of deadlines.yaml, with its line there."""
        where = f"срок «{rule.name}» ({rule.clause})"
        line = self.row_lines.get(rule.name)
        return Problem(check, message, element=where, line=line, file=TABLE_FILE)

    def problem(self, check: str, message: str, element_id: str | None) -> Problem:
        """A problem naming the element by its Russian kind, its name and id, with its line."""
        node = self.nodes.get(element_id or "")
        if node is None:
            return Problem(check, message, element_id, f"«{element_id}»" if element_id else "")
        return Problem(
            check,
            message,
            element_id,
            describe(node),
            node.sourceline,
            node.get("name") or None,
        )


def task_form(task: Any) -> str | None:
    """The form a staff task names in its spiffworkflow properties."""
    for prop in task.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
    ):
        if prop.get("name") == "form":
            value: str | None = prop.get("value")
            return value
    return None


def kind_of(node: Any) -> str:
    """The element's kind in Russian («граничный таймер» for a timer on a step)."""
    tag = etree.QName(node).localname
    if tag == "boundaryEvent" and node.find("bpmn:timerEventDefinition", NS) is not None:
        return "таймер срока"
    if (
        tag in ("intermediateCatchEvent", "startEvent")
        and node.find("bpmn:timerEventDefinition", NS) is not None
    ):
        return "таймер"
    return ELEMENT_KINDS.get(tag, tag)


def describe(node: Any) -> str:
    """«задача сотрудника «Проверить ответ» (review)»."""
    name = (node.get("name") or "").strip()
    label = f" «{name}»" if name else ""
    return f"{kind_of(node)}{label} ({node.get('id')})"


def build_context(
    xml: bytes,
    forms_yaml: bytes | None,
    deadlines_yaml: bytes | None,
    municipality: str,
    processes_dir: Path,
) -> CheckContext | list[Problem]:
    """The context of the checks, or the problems that keep the files from being read at all."""
    problems: list[Problem] = []
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError as error:
        message = f"файл диаграммы не читается как XML: {error.msg}"
        return [Problem("xml", message, line=error.lineno)]
    forms = dict(library())
    try:
        forms |= declared_in(forms_yaml) if forms_yaml is not None else {}
    except FormDeclarationError as error:
        problems.append(Problem("forms", f"{FORMS_FILE}: {error}"))
    table = EMPTY_TABLE
    try:
        table = read_table(read_table_yaml(deadlines_yaml))
    except TableError as error:
        problems.append(Problem("table", f"{TABLE_FILE}: {error}"))
    try:
        reader: RegulationCalendar | None = regulation_calendar(municipality, processes_dir)
    except (ValueError, KeyError, OSError, yaml.YAMLError) as error:
        reader = None  # municipality.yaml has its own check; here only why terms cannot be read
        problems.append(Problem("calendar", f"календарь муниципалитета не читается: {error}"))
    if problems:
        return problems
    context = CheckContext(root, forms, table, _legacy_rows(deadlines_yaml), reader)
    context.row_lines = _row_lines(deadlines_yaml)
    return context


def _row_lines(content: bytes | None) -> dict[str, int]:
    """The line of each named row of a deadline table (for problems a lawyer finds)."""
    node = yaml.compose(content.decode("utf-8")) if content else None
    if not isinstance(node, yaml.MappingNode):
        return {}
    rows = next((value for key, value in node.value if key.value == "deadlines"), None)
    if not isinstance(rows, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _value in rows.value}


def _legacy_rows(content: bytes | None) -> list[dict[str, Any]]:
    """The rows of an old-format table (a list of clause, step, deadline)."""
    raw = yaml.safe_load(content.decode("utf-8")) if content else None
    return [row for row in raw if isinstance(row, dict)] if isinstance(raw, list) else []
