"""Checks of deadline timers: never cancel the work, cite a clause, resolve through the table."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from engine.bpmn.catalog import BPMN_NS, NS, clauses_in
from engine.bpmn.names import Code
from engine.checks.context import CheckContext
from engine.checks.names import what
from engine.checks.registry import DEADLINES, Problem, register_check
from engine.timers import DEADLINE_HOLDERS
from engine.worktime import DeadlineSpecError

# The boundary timer property that says a breach ends the step on purpose (docs/modelling.md).
ESCALATION = "escalation"
ENDS_STEP = "ends_step"


def _properties(node: Any) -> dict[str, str]:
    found = node.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
    )
    return {prop.get("name"): prop.get("value", "") for prop in found}


def _expression(timer: Any) -> str:
    definition = timer.find("bpmn:timerEventDefinition", NS)
    return (
        " ".join((part.text or "").strip() for part in definition) if definition is not None else ""
    )


def deadline_timers(context: CheckContext) -> Iterator[Any]:
    """Boundary timers that are legal deadlines: on a staff step, unless `deadline=false`.

    (A timer naming a duty row off a staff step is refused by the table's own check.)
    """
    holders = {f"{{{BPMN_NS}}}{tag}" for tag in DEADLINE_HOLDERS}
    for timer in context.root.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        if timer.find("bpmn:timerEventDefinition", NS) is None:
            continue
        step = context.nodes.get(timer.get("attachedToRef") or "")
        if (
            step is not None
            and step.tag in holders
            and _properties(timer).get("deadline") != "false"
        ):
            yield timer


@register_check("interrupting_deadlines", DEADLINES)
def interrupting_deadlines(context: CheckContext) -> Iterator[Problem]:
    """A breached deadline must not cancel the work and end the case unpublished."""
    for timer in deadline_timers(context):
        marked = _properties(timer).get(ESCALATION)
        interrupting = timer.get("cancelActivity", "true") != "false"
        if marked is not None and (marked != ENDS_STEP or not interrupting):
            yield context.problem(
                "interrupting_deadlines",
                f"свойство {ESCALATION}={marked}: допустимо только {ESCALATION}={ENDS_STEP} "
                "и только у прерывающего таймера (шаг при нарушении срока прекращается)",
                timer.get("id"),
            )
        if not interrupting or marked == ENDS_STEP:
            continue
        yield context.problem(
            "interrupting_deadlines",
            "срок прерывает шаг: при нарушении срока работа отменится, и дело может закончиться "
            'без ответа; сделайте таймер непрерывающим (cancelActivity="false") или, если '
            f"регламент велит прекратить шаг, отметьте его свойством {ESCALATION}={ENDS_STEP}",
            timer.get("id"),
        )


@register_check("deadline_clauses", DEADLINES)
def deadline_clauses(context: CheckContext) -> Iterator[Problem]:
    """A deadline timer cites its clause: in its documentation, or through its table row."""
    for timer in deadline_timers(context):
        documentation = " ".join(
            (doc.text or "") for doc in timer.findall("bpmn:documentation", NS)
        )
        rows = [name for name in _names(_expression(timer)) if name in context.table]
        if not clauses_in(documentation) and not rows:
            yield context.problem(
                "deadline_clauses",
                "таймер срока не ссылается на пункт регламента: укажите в его описании "
                "(documentation) пункт в виде «Город, п. N» или назовите срок из deadlines.yaml",
                timer.get("id"),
            )


@register_check("deadline_texts", DEADLINES)
def deadline_texts(context: CheckContext) -> Iterator[Problem]:
    """Every deadline in timers, conditions and scripts resolves through the deadline table."""
    for code in context.code:
        try:
            calls = _calls(code.source)
        except SyntaxError:
            continue
        for call in calls:
            message = _call_problem(context, code, call)
            if message:
                yield context.problem("deadline_texts", message, code.element_id)


def _call_problem(context: CheckContext, code: Code, call: ast.Call) -> str | None:
    table = context.table
    where = f"{what(code)} «{ast.unparse(call)}»"
    if len(call.args) == 1:
        name = _text(call.args[0])
        if name is None:
            return f'{where}: срок назван не текстом; пишите deadline("имя срока")'
        if table.legacy:
            return (
                f"{where}: срок назван по имени, а таблицы сроков по именам у версии нет "
                "(deadlines.yaml)"
            )
        if name not in table:
            known = ", ".join(sorted(table.rules))
            return f"{where}: в таблице сроков нет срока «{name}»; есть: {known}"
        return None
    if len(call.args) != 2:
        return f'{where}: ожидается deadline("имя срока")'
    if not table.legacy:
        return (
            f"{where}: срок записан текстом в диаграмме, мимо таблицы сроков; "
            'назовите срок из deadlines.yaml: deadline("имя")'
        )
    return _legacy_text_problem(context, where, call.args[1])


def _legacy_text_problem(context: CheckContext, where: str, term: ast.expr) -> str | None:
    texts = list(_term_texts(term))
    if not texts:
        return f"{where}: срок задан не текстом, его нельзя сверить с таблицей сроков"
    listed = {str(row.get("deadline", "")).strip() for row in context.legacy_rows}
    for text in texts:
        try:
            if context.reader is not None:
                context.reader.read(text)
        except (DeadlineSpecError, ValueError) as error:
            return f"{where}: срок «{text}» не читается: {error}"
        if context.legacy_rows and text not in listed:
            return f"{where}: срока «{text}» нет в таблице сроков (deadlines.yaml)"
    return None


def _term_texts(term: ast.expr) -> Iterator[str]:
    """The texts a term may take: `"a" if c else "b"`, `shortened or "b"` (not the condition)."""
    if isinstance(term, ast.IfExp):
        yield from _term_texts(term.body)
        yield from _term_texts(term.orelse)
    elif isinstance(term, ast.BoolOp):
        for value in term.values:
            yield from _term_texts(value)
    elif isinstance(term, ast.Subscript) and isinstance(term.value, ast.Dict):
        for value in term.value.values:  # {"low": "2 часа", ...}[urgency]
            yield from _term_texts(value)
    elif (text := _text(term)) is not None:
        yield text


def _calls(source: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "deadline"
    ]


def _names(source: str) -> list[str]:
    try:
        calls = _calls(source)
    except SyntaxError:
        return []
    return [name for call in calls if len(call.args) == 1 and (name := _text(call.args[0]))]


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
