"""Deadline functions that BPMN timer expressions call, and their deploy-time checks."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from engine.clock import current_time
from engine.scripting import script_function


class DeadlineCalendar(Protocol):
    """The one boundary behind every deadline: a municipality's working-time calendar."""

    def due(self, start: datetime, spec: Any) -> datetime: ...


class DeadlineExpressionError(ValueError):
    """A timer expression whose deadline text cannot be read."""


def _as_moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"deadline start must be an aware ISO datetime, got {value!r}")
    return moment


def due_iso(calendar: DeadlineCalendar, start: Any, spec: str) -> str:
    """The due moment of `spec` counted from `start`, as an aware ISO string."""
    return calendar.due(_as_moment(start), spec).isoformat()


@script_function("deadline")
def _deadline_factory(context: Mapping[str, Any]) -> Callable[..., str]:
    calendar: DeadlineCalendar = context["calendar"]

    def deadline(start: Any, spec: str) -> str:
        """Due moment of a deadline written as legal staff write it, from a stored moment."""
        return due_iso(calendar, start, spec)

    return deadline


@script_function("now")
def _now_factory(_context: Mapping[str, Any]) -> Callable[[], str]:
    def now() -> str:
        """The engine clock's current moment, as an aware ISO string."""
        return current_time().isoformat()

    return now


def deadline_texts(expression: str) -> list[str]:
    """Literal deadline texts passed to `deadline(...)` in an expression."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise DeadlineExpressionError(f"not a valid expression: {error.msg}") from error
    texts = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "deadline"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            texts.append(node.args[1].value)
    return texts


def check_deadline_expression(expression: str, parse: Callable[[str], Any]) -> None:
    """Refuse a timer expression whose literal deadline text `parse` cannot read."""
    for text in deadline_texts(expression):
        try:
            parse(text)
        except ValueError as error:
            raise DeadlineExpressionError(str(error)) from error
