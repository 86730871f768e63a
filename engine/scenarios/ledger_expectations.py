"""Scenario keys for the deadline ledger: notices sent, and a deadline's state in the case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.scenarios.expectations import cited, due_matches, expect_count
from engine.scenarios.readable import listing
from engine.scenarios.registry import expectation, fail
from engine.scenarios.shapes import DUES, Shape, choice, clause, count, text
from engine.statuses import DeadlineState, NoticeKind

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

NOTICE = Shape(
    {
        "role": text,
        "kind": choice(*(kind.value for kind in NoticeKind)),
        "clause": clause,
        "department": text,
        "count": count,
    },
    shorthand="role",
)
DEADLINE = Shape(
    {
        "name": text,
        "state": choice(*(state.value for state in DeadlineState)),
        "responsible": text,
        "count": count,
        **DUES,
    },
    shorthand="name",
    required=("name",),
)


@expectation("expect_notice", NOTICE)
def _expect_notice(run: _Run, spec: dict[str, Any]) -> None:
    """Notices (breach or reminder) sent to a role, for a clause, a department."""
    sent = run.notices()
    found = [
        notice
        for notice in sent
        if spec.get("role") in (None, notice.recipient_role)
        and spec.get("kind") in (None, notice.kind.value)
        and ("clause" not in spec or spec["clause"] in cited(notice.clause))
        and spec.get("department") in (None, notice.recipient_department)
    ]
    seen = listing([f"{n.kind.value} → {n.recipient_role} ({n.clause or '—'})" for n in sent])
    expect_count(run, "notices", spec, found, f"sent: {seen}")


@expectation("expect_deadline", DEADLINE)
def _expect_deadline(run: _Run, spec: dict[str, Any]) -> None:
    """Occurrences of a deadline of the table: state, due (exact or bounds), who answered."""
    occurrences = [entry for entry in run.deadlines() if entry.name == spec["name"]]
    if not occurrences:
        armed = listing(sorted({entry.name for entry in run.deadlines()}))
        fail(f"no deadline {spec['name']!r} was armed in this case; armed: {armed}")
    found = [
        entry
        for entry in occurrences
        if spec.get("state") in (None, entry.state.value)
        and spec.get("responsible") in (None, entry.responsible_role)
        and due_matches(entry.due_at, spec)
    ]
    seen = listing(
        [
            f"{e.state.value}, due {run.moment(e.due_at)}, responsible {e.responsible_role}"
            for e in occurrences
        ]
    )
    if "count" not in spec and not found:
        fail(f"deadline {spec['name']} does not match; its occurrences: {seen}")
    expect_count(run, f"occurrences of {spec['name']}", spec, found, f"occurrences: {seen}")
