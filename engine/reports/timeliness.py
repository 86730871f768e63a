"""Deadlines answered in time and late, per clause, step, department and responsible person."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from engine.reports.figures import share, tally
from engine.reports.load import Cohort, DeadlineRow
from engine.reports.model import Cell, Table
from engine.statuses import DeadlineState

IN_TIME, LATE, SHARE, OPEN = "в срок", "с нарушением", "в срок, %", "ещё идут"
COLUMNS = (IN_TIME, LATE, SHARE, OPEN)
NONE = "—"
NO_DEPARTMENT, NOBODY = "без подразделения", "не назначен"


@dataclass(frozen=True)
class DeadlineFact:
    """One deadline occurrence of a cohort case as the report counts it."""

    instance_id: int
    clause: str
    step: str
    department: str | None
    person: str | None
    state: DeadlineState


def facts(cohort: Cohort) -> list[DeadlineFact]:
    """Each deadline with who answered for it: the breach's responsible, or who met it."""
    return [_fact(cohort, deadline) for deadline in cohort.deadlines]


def _fact(cohort: Cohort, deadline: DeadlineRow) -> DeadlineFact:
    step = cohort.steps.get(deadline.task_id or "")
    department = deadline.responsible_department or (step.department if step else None)
    if deadline.state is DeadlineState.BREACHED:
        person = deadline.responsible_user
    else:
        person = step.completed_by if step and deadline.state is DeadlineState.MET else None
    return DeadlineFact(
        instance_id=deadline.instance_id,
        clause=deadline.clause or NONE,
        step=deadline.element_id or deadline.name,
        department=department,
        person=person,
        state=deadline.state,
    )


Dimension = Callable[[DeadlineFact], str]


def outcome_table(
    key: str, title: str, label: str, facts_: list[DeadlineFact], dimension: Dimension
) -> Table:
    """In time, late, share in time and still counting, one row per value of `dimension`."""
    groups: dict[str, list[DeadlineFact]] = defaultdict(list)
    for fact in facts_:
        if fact.state is not DeadlineState.CANCELLED:
            groups[dimension(fact)].append(fact)
    table = Table(key, title, (label,), COLUMNS, chart=LATE)
    for name in sorted(groups):
        table.add((name,), _cells(groups[name]))
    if groups:
        table.add(("Итого",), _cells([fact for group in groups.values() for fact in group]))
    return table


def _cells(group: list[DeadlineFact]) -> tuple[Cell, ...]:
    met = [f.instance_id for f in group if f.state is DeadlineState.MET]
    late = [f.instance_id for f in group if f.state is DeadlineState.BREACHED]
    running = [f.instance_id for f in group if f.state.is_open]
    decided = sorted(set(met) | set(late))
    return (
        tally(met),
        tally(late),
        Cell(share(len(met), len(met) + len(late)), tuple(decided)),
        tally(running),
    )
