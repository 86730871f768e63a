"""The scenario step keys: expectations and actions, each registered with the shape of its value.

A new key is one registered function: `@expectation("expect_notice", Shape({...}))` checks the
run after the step's `at`; `@action("pause", ...)` does something to the case. The loader refuses
any other key and checks each value with the key's reader before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from engine.scenarios.shapes import Read, anything

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

Check = Callable[["_Run", Any], None]
Act = Callable[["_Run", dict[str, Any]], None]


class ScenarioFailure(AssertionError):
    """An expectation of a scenario step that did not hold."""


def fail(message: str) -> NoReturn:
    """Fail the scenario's current step."""
    raise ScenarioFailure(message)


@dataclass(frozen=True)
class ExpectationKey:
    """A step key that checks the run: its reader and its check."""

    name: str
    check: Check
    read: Read


@dataclass(frozen=True)
class ActionKey:
    """A step key that acts on the case; `companions` are the keys that may go with it."""

    name: str
    act: Act
    read: Read
    companions: Mapping[str, Read] = field(default_factory=dict)
    refusable: bool = False


EXPECTATIONS: dict[str, ExpectationKey] = {}
ACTIONS: dict[str, ActionKey] = {}


def expectation(key: str, read: Read = anything) -> Callable[[Check], Check]:
    """Register a check under a step key; `read` turns the YAML value into the check's spec."""

    def register(check: Check) -> Check:
        EXPECTATIONS[key] = ExpectationKey(key, check, read)
        return check

    return register


def action(
    key: str,
    read: Read = anything,
    companions: Mapping[str, Read] | None = None,
    refusable: bool = False,
) -> Callable[[Act], Act]:
    """Register an action; a refusable one may carry `expect_refused`."""

    def register(act: Act) -> Act:
        ACTIONS[key] = ActionKey(key, act, read, dict(companions or {}), refusable)
        return act

    return register
