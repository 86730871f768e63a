"""Deadline functions that BPMN timer expressions call, and their deploy-time checks."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from engine.clock import current_time
from engine.ledger.context import named_due
from engine.regulation.table import EMPTY_TABLE, DeadlineTable
from engine.scripting import script_function


class DeadlineCalendar(Protocol):
    """The one boundary behind every deadline: a municipality's working-time calendar."""

    def due(self, start: datetime, spec: Any) -> datetime: ...


class DeadlineExpressionError(ValueError):
    """A timer expression whose deadline text cannot be read."""


def _as_moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"начало срока должно быть моментом ISO с часовым поясом, а не {value!r}")
    return moment


def due_iso(calendar: DeadlineCalendar, start: Any, spec: str) -> str:
    """The due moment of `spec` counted from `start`, as an aware ISO string."""
    return calendar.due(_as_moment(start), spec).isoformat()


@script_function("deadline")
def _deadline_factory(context: Mapping[str, Any]) -> Callable[..., str]:
    calendar: DeadlineCalendar = context["calendar"]
    table: DeadlineTable = context.get("table") or EMPTY_TABLE

    def deadline(*args: Any) -> str:
        """`deadline("name")`: the table's deadline; `deadline(start, "text")`: the old form."""
        if len(args) == 1 and isinstance(args[0], str):
            return named_due(table, calendar, args[0]).isoformat()  # type: ignore[arg-type]
        if len(args) == 2:
            return due_iso(calendar, *args)
        raise TypeError("deadline(«имя срока из таблицы»)")

    return deadline


@script_function("now")
def _now_factory(_context: Mapping[str, Any]) -> Callable[[], str]:
    def now() -> str:
        """The engine clock's current moment, as an aware ISO string."""
        return current_time().isoformat()

    return now


@script_function("is_before")
def _is_before_factory(_context: Mapping[str, Any]) -> Callable[[Any, Any], bool]:
    def is_before(first: Any, second: Any) -> bool:
        """Whether moment `first` is earlier than `second` (aware ISO strings, any offsets)."""
        return _as_moment(first) < _as_moment(second)

    return is_before


def deadline_names(expression: str) -> list[str]:
    """Names passed to `deadline("name")` in an expression or script."""
    return [args[0] for args in _deadline_calls(expression) if len(args) == 1]


def literal_deadline_calls(expression: str) -> int:
    """How many `deadline(start, "text")` calls write a term in the diagram itself."""
    return sum(1 for args in _deadline_calls(expression) if len(args) == 2)


def _calls_of_deadline(tree: ast.AST) -> Iterator[ast.Call]:
    """Every `deadline(...)` call in a parsed expression or script."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "deadline"
        ):
            yield node


def _deadline_calls(source: str) -> list[list[Any]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        for node in _calls_of_deadline(tree)
    ]


def deadline_texts(expression: str) -> list[str]:
    """Literal deadline texts passed to `deadline(...)` in an expression."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise DeadlineExpressionError(f"not a valid expression: {error.msg}") from error
    return [
        node.args[1].value
        for node in _calls_of_deadline(tree)
        if len(node.args) == 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ]


@dataclass(frozen=True)
class DeadlineCall:
    """One `deadline(start, term)` of an old-format timer: where it counts from, its terms."""

    start: str  # the first argument's source: received_at, completed_at["route"], executor_due
    terms: tuple[str, ...]  # every literal text the term may take («… if official_page else …»)


def deadline_calls(expression: str) -> list[DeadlineCall]:
    """The `deadline(start, term)` calls of an expression, each with its literal terms."""
    try:
        tree = ast.parse(expression)
    except SyntaxError:
        return []
    calls = []
    for node in _calls_of_deadline(tree):
        if len(node.args) == 2:
            terms = tuple(
                part.value
                for part in ast.walk(node.args[1])
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            calls.append(DeadlineCall(ast.unparse(node.args[0]), terms))
    return calls


def check_deadline_expression(expression: str, parse: Callable[[str], Any]) -> None:
    """Refuse a timer expression whose literal deadline text `parse` cannot read."""
    for text in deadline_texts(expression):
        try:
            parse(text)
        except ValueError as error:
            raise DeadlineExpressionError(str(error)) from error
