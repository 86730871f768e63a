"""Scenario keys for scheduled duties: how many occurrences became cases, how many late."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.scenarios.expectations import expect_count
from engine.scenarios.readable import listing
from engine.scenarios.registry import expectation
from engine.scenarios.shapes import Shape, count, flag

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

DUTY_CASES = Shape({"count": count, "late": flag}, shorthand="count")


@expectation("expect_duty_cases", DUTY_CASES)
def _expect_duty_cases(run: _Run, spec: dict[str, Any]) -> None:
    """Cases the schedule started for the scenario's duty; `late: true` only catch-up ones."""
    started = run.duty_cases()
    found = [row for row in started if spec.get("late") in (None, row.late)]
    seen = listing(
        [f"{run.moment(row.occurs_at)}{' (late)' if row.late else ''}" for row in started]
    )
    expect_count(run, "duty cases", spec, found, f"started: {seen}")
