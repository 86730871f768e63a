"""Each deadline of a version as a lawyer reads it: term, counting, start, a worked example."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.bpmn.catalog import BPMN_NS, NS
from engine.deadlines import deadline_calls
from engine.municipalities import RegulationCalendar
from engine.regulation.table import HOLDER, DeadlineRule, DeadlineTable
from engine.regulation.terms import TermError, due_from, rule_spec
from engine.report.wording import ROLE_NAMES, counted_words, moment_words
from engine.worktime import CalendarError, DeadlineSpecError

RESPONSIBLE = "ответственный за просрочку"
COMPLETED_AT = re.compile(r"""completed_at\[["'](.+)["']\]""")


@dataclass(frozen=True)
class DeadlineView:
    """One term: the clauses it implements, the steps it binds, how and from when it counts."""

    name: str  # the table row's name, or (old table) the timer's element id
    clauses: tuple[str, ...]
    steps: tuple[str, ...]
    step_names: tuple[str, ...]
    text: str
    counted: str
    start: str
    example: str
    notes: tuple[str, ...] = ()


def deadline_views(
    catalog: dict[str, Any],
    root: Any,
    table: DeadlineTable,
    reader: RegulationCalendar,
    start: datetime,
) -> list[DeadlineView]:
    """The version's deadlines: the table's rows, or the terms its timers write (old table)."""
    names = _Names(catalog, root)
    if not table.legacy:
        return [_rule_view(rule, table, names, reader, start) for rule in table.rules.values()]
    return [
        view
        for element in catalog["elements"].values()
        if element["timer"]
        for view in _timer_views(element, names, reader, start)
    ]


class _Names:
    """Russian names of elements, and which script task records a moment the timers read."""

    def __init__(self, catalog: dict[str, Any], root: Any) -> None:
        self.elements = catalog["elements"]
        self.lanes = catalog["lanes"]
        self.setters: dict[str, str] = {}
        for task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
            script = task.find("bpmn:script", NS)
            for name in _assigned((script.text or "") if script is not None else ""):
                self.setters.setdefault(name, task.get("id"))

    def of(self, element_id: str) -> str:
        return self.elements.get(element_id, {}).get("name") or element_id

    def role(self, role: str) -> str:
        return self.lanes.get(role, {}).get("name") or ROLE_NAMES.get(role, role)

    def start(self, source: str) -> str:
        """Where an old timer's `deadline(source, …)` counts from, in words."""
        if source == "received_at":
            return "с поступления сообщения"
        if source == "last_completed_at":
            return "с завершения предыдущего шага (с получения задачи этим шагом)"
        completed = COMPLETED_AT.fullmatch(source)
        if completed:
            return f"с завершения шага «{self.of(completed.group(1))}»"
        if source in self.setters:
            setter = self.of(self.setters[source])
            return f"от момента «{source}», который записывает шаг «{setter}»"
        return f"от момента «{source}»"


def _assigned(script: str) -> set[str]:
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _rule_view(
    rule: DeadlineRule,
    table: DeadlineTable,
    names: _Names,
    reader: RegulationCalendar,
    start: datetime,
) -> DeadlineView:
    try:
        working = rule_spec(rule, reader).working
        example = _example(start, due_from(rule, start, reader), rule.start.kind == "received")
    except (TermError, CalendarError, DeadlineSpecError) as error:
        working, example = False, f"не вычисляется: {error}"
    steps = rule.until or rule.steps
    return DeadlineView(
        name=rule.name,
        clauses=tuple(part.strip() for part in rule.clause.split(";")),
        steps=steps,
        step_names=tuple(map(names.of, steps)),
        text=rule.text,
        counted=counted_words(working),
        start=_rule_start(rule, table, names),
        example=example,
        notes=tuple(_rule_notes(rule, names)),
    )


def _rule_start(rule: DeadlineRule, table: DeadlineTable, names: _Names) -> str:
    ref = rule.start.ref or ""
    if rule.start.kind == "completed":
        return f"с завершения шага «{names.of(ref)}»"
    if rule.start.kind == "deadline" and ref in table:
        return f"от истечения срока «{ref}» ({table[ref].text})"
    return rule.start.describe()


def _rule_notes(rule: DeadlineRule, names: _Names) -> list[str]:
    notes = []
    if not rule.is_duty:
        notes.append("срок ожидания ответа автора: его истечение не нарушение, дело идёт дальше")
    if rule.is_span:
        notes.append(f"срок до завершения шага «{', '.join(map(names.of, rule.until))}»")
    if rule.known_at:
        steps = ", ".join(f"«{names.of(step)}»" for step in rule.known_at)
        notes.append(f"открывается, когда завершён шаг {steps}, если применим к делу")
    if rule.superseded_by:
        notes.append(
            f"заменяется сроком «{', '.join(rule.superseded_by)}», если тот открыт позже: "
            "нарушение этого срока тогда снимается"
        )
    if rule.shortened_by:
        notes.append(f"может быть сокращён (поле «{rule.shortened_by}»)")
    if rule.pause:
        waits = ", ".join(f"«{names.of(step)}»" for step in rule.pause.while_)
        notes.append(f"приостанавливается на время ожидания автора: {waits}")
    if rule.responsible == HOLDER:
        notes.append("отвечает тот, у кого находится дело в момент просрочки")
    elif rule.responsible:
        notes.append(f"отвечает: {names.role(rule.responsible)}")
    if rule.notify:
        told = ", ".join(
            RESPONSIBLE if role == "responsible" else names.role(role) for role in rule.notify
        )
        notes.append(f"о просрочке уведомляются: {told}")
    if rule.remind:
        to = ", ".join(map(names.role, rule.remind.to))
        notes.append(f"напоминание за {rule.remind.before} до срока: {to}")
    if rule.note:
        notes.append(rule.note)
    return notes


def _timer_views(
    element: dict[str, Any], names: _Names, reader: RegulationCalendar, start: datetime
) -> list[DeadlineView]:
    expression = element["timer"]["expression"] or ""
    calls = deadline_calls(expression)
    # A timer choosing among terms (an intermediate answer, an official page) shows its rule.
    chooses = len(calls) > 1 or any(len(call.terms) > 1 for call in calls)
    notes = (f"срок выбирается условием диаграммы: {expression}",) if chooses else ()
    views = []
    for call in calls:
        for term in call.terms:
            try:
                spec = reader.read(term)
                example = _example(start, reader.due(start, spec), call.start == "received_at")
                counted = counted_words(spec.working)
            except (CalendarError, DeadlineSpecError) as error:
                example, counted = f"не вычисляется: {error}", ""
            steps = (element["attached_to"],) if element["attached_to"] else ()
            views.append(
                DeadlineView(
                    name=element["id"],
                    clauses=tuple(element["clauses"]),
                    steps=steps,
                    step_names=tuple(map(names.of, steps)),
                    text=term,
                    counted=counted,
                    start=names.start(call.start),
                    example=example,
                    notes=notes,
                )
            )
    return views


def _example(start: datetime, due: datetime, from_arrival: bool) -> str:
    """«поступило: пятница, 13 марта 2026 г., 17:30 → срок: понедельник, …»."""
    lead = "сообщение поступило" if from_arrival else "отсчёт начался"
    due = due.astimezone(start.tzinfo)
    return f"{lead}: {moment_words(start)} → срок: {moment_words(due)}"
