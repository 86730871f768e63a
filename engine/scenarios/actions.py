"""Scenario actions: complete a task, send a message, run the worker."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.intake_forms import INTAKE_FORMS
from engine.scenarios.readable import shown
from engine.scenarios.registry import action
from engine.scenarios.shapes import ShapeError, anything, flag, mapping, text

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

FORM_KEY = "form"


def message_fields(value: Any) -> dict[str, Any]:
    """A message's fields; with `form: manual`, the form's fields as the browser sends them."""
    fields = mapping(value)
    form_key = fields.pop(FORM_KEY, None)
    if form_key is None:
        return fields
    form = INTAKE_FORMS.get(str(form_key))
    if form is None:
        known = ", ".join(INTAKE_FORMS)
        raise ShapeError(f"form: {shown(form_key)} is not an intake form; known: {known}")
    unknown = sorted(set(fields) - set(form.fields))
    if unknown:
        known = ", ".join(form.fields)
        raise ShapeError(f"form {form_key}: unknown fields {unknown}; known: {known}")
    return {FORM_KEY: form_key, **{name: _typed(name, item) for name, item in fields.items()}}


def _typed(name: str, value: Any) -> str:
    """A form value as the browser submits it: text, a ticked box as «1», local time unzoned."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ShapeError(f"{name}: the form takes the local time as typed, without an offset")
        return value.isoformat(timespec="minutes")
    return "" if value is None else str(value).strip()


@action(
    "complete",
    read=text,
    companions={"as": text, "data": mapping, "department": text, "again": flag},
    refusable=True,
)
def _complete(run: _Run, step: dict[str, Any]) -> None:
    """Complete a ready user task; with `again: true`, submit the one completed last once more."""
    run.complete(step)


@action("message", read=message_fields, companions={"again": flag}, refusable=True)
def _message(run: _Run, step: dict[str, Any]) -> None:
    """A further incoming message; with `again: true`, the last one delivered once more."""
    if step.get("again"):
        run.send_again(step["message"])
    else:
        run.send(step["message"])


@action("tick", read=anything)
def _tick(run: _Run, step: dict[str, Any]) -> None:
    """Run the worker at the current moment."""
    run.move_to(run.clock.now())
