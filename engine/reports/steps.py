"""Time in each step, in its deadline's own unit: median and 90th percentile."""

from __future__ import annotations

from collections import defaultdict

from engine.reports.figures import median, p90, tally, unit_of
from engine.reports.load import Cohort
from engine.reports.model import Cell, Table

STEPS, UNIT, MEDIAN, P90 = "шагов", "единица", "медиана", "90-й процентиль"


def step_time_table(cohort: Cohort, department: str | None) -> Table:
    """Completed steps grouped by element; the unit of the deadline that guarded each."""
    terms = {d.task_id: d.text for d in cohort.deadlines if d.task_id and not d.span}
    element_terms = {d.element_id: d.text for d in cohort.deadlines if d.element_id}
    durations: dict[str, list[tuple[int, float]]] = defaultdict(list)
    units: dict[str, tuple[str, float]] = {}
    for step in cohort.steps.values():
        if step.ready_at is None or step.completed_at is None:
            continue
        if department is not None and step.department != department:
            continue
        term = terms.get(step.task_id) or element_terms.get(step.element_id)
        unit = units.setdefault(step.element_id, unit_of(term))
        seconds = (step.completed_at - step.ready_at).total_seconds()
        durations[step.element_id].append((step.instance_id, seconds / unit[1]))
    # No chart: the steps count in different units, a common axis would mislead.
    table = Table("step_time", "Время на шаге", ("шаг",), (UNIT, STEPS, MEDIAN, P90))
    for element in sorted(durations):
        ids = [case for case, _ in durations[element]]
        values = [value for _, value in durations[element]]
        cases = tuple(sorted(set(ids)))
        table.add(
            (element,),
            (
                Cell(units[element][0]),
                tally(ids),
                Cell(median(values), cases),
                Cell(p90(values), cases),
            ),
        )
    return table
