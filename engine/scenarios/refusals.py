"""`expect_refused`: the step's action must be refused by the engine and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.forms import FormError
from engine.instances import InstanceNotRunning, StaleTaskError
from engine.intake import DuplicateMessage, InvalidMessage
from engine.scenarios.readable import in_zone
from engine.scenarios.registry import fail
from engine.scenarios.shapes import Shape, choice, text

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

REFUSED_KEY = "expect_refused"


def field_messages(errors: Any, prefix: str = "") -> list[str]:
    """Per-field messages of a marshmallow error as «field: message» lines."""
    if isinstance(errors, dict):
        return [
            line
            for name, inner in errors.items()
            for line in field_messages(inner, f"{prefix}{name}." if name != "_schema" else prefix)
        ]
    if isinstance(errors, list | tuple):
        return [line for inner in errors for line in field_messages(inner, prefix)]
    return [f"{prefix.rstrip('.')}: {errors}" if prefix else str(errors)]


def _form_text(error: Exception) -> str:
    assert isinstance(error, FormError)
    return f"form {error.form_key}: " + "; ".join(field_messages(error.errors))


def _message_text(error: Exception) -> str:
    assert isinstance(error, InvalidMessage)
    return "invalid message: " + "; ".join(field_messages(error.errors))


@dataclass(frozen=True)
class Refusal:
    """An engine refusal a scenario can expect: its name and the text `contains` is matched in."""

    reason: str
    text: Callable[[Exception], str]


REFUSALS: dict[type[Exception], Refusal] = {
    FormError: Refusal("invalid_form", _form_text),
    InvalidMessage: Refusal("invalid_message", _message_text),
    DuplicateMessage: Refusal("duplicate_message", str),
    StaleTaskError: Refusal("already_completed", str),
    InstanceNotRunning: Refusal("case_not_running", str),
}
REFUSED = Shape(
    {"contains": text, "reason": choice(*(r.reason for r in REFUSALS.values()))},
    shorthand="contains",
    required=("contains",),
)


def _refusal_of(error: Exception) -> Refusal | None:
    for kind in type(error).__mro__:
        if kind in REFUSALS:
            return REFUSALS[kind]
    return None


def refusal_text(error: Exception) -> str | None:
    """The text of an engine refusal, or None if `error` is not one."""
    refusal = _refusal_of(error)
    return refusal.text(error) if refusal is not None else None


def perform_refused(run: _Run, spec: dict[str, Any], act: Callable[[], None]) -> None:
    """Run the action; it must raise an engine refusal matching `spec` and leave all as it was."""
    before = run.snapshot()
    try:
        act()
    except Exception as error:
        refusal = _refusal_of(error)
        if refusal is None:
            raise
        _check(refusal, in_zone(refusal.text(error), run.zone), spec)
    else:
        fail(f"expected the engine to refuse the action, it was accepted; {run.describe()}")
    after = run.snapshot()
    changed = [part for part in before if before[part] != after[part]]
    if changed:
        fail(f"the refused action changed {', '.join(changed)}")


def _check(refusal: Refusal, said: str, spec: dict[str, Any]) -> None:
    if "reason" in spec and refusal.reason != spec["reason"]:
        fail(f"refused as {refusal.reason}, expected {spec['reason']}: «{said}»")
    if spec["contains"] not in said:
        fail(f"refused with «{said}», expected it to contain «{spec['contains']}»")
