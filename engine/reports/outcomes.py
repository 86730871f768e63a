"""What became of the messages: not processed by ground, redirected, intermediate answers."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from engine.forms import library
from engine.reports.figures import count
from engine.reports.load import Cohort
from engine.reports.model import Table
from engine.statuses import DeadlineState

# The library's field names (engine/forms/library.yaml) a regulation's screen and answer forms use.
DECISION, GROUND, REDIRECT_TO = "screen_decision", "not_processed_reason", "redirect_to"
ANSWER_KIND = "answer_kind"
CASES = "обращений"
FINAL_IN_TIME, FINAL_LATE, FINAL_PENDING = (
    "окончательный ответ в срок",
    "окончательный ответ с нарушением",
    "окончательного ответа ещё нет",
)


def not_processed_table(cohort: Cohort) -> Table:
    """Cases the screening refused, by the ground named."""
    ground = library()["screen"].field(GROUND)
    groups: dict[str, list[int]] = defaultdict(list)
    for step in cohort.steps.values():
        if step.values.get(DECISION) == "not_processed":
            value = str(step.values.get(GROUND) or "—")
            groups[ground.choice_label(value) if ground else value].append(step.instance_id)
    table = Table("not_processed", "Не рассматривались, по основаниям", ("основание",), (CASES,))
    for name in sorted(groups):
        table.add((name,), (count(groups[name]),))
    table.add(("Итого",), (count(i for ids in groups.values() for i in ids),))
    return table


def redirects_table(cohort: Cohort) -> Table:
    """Cases redirected out of competence, by where to."""
    groups: dict[str, list[int]] = defaultdict(list)
    for step in cohort.steps.values():
        if step.values.get(DECISION) == "redirect":
            groups[str(step.values.get(REDIRECT_TO) or "—")].append(step.instance_id)
    table = Table("redirects", "Перенаправлены (вне компетенции)", ("куда",), (CASES,))
    for name in sorted(groups):
        table.add((name,), (count(groups[name]),))
    table.add(("Итого",), (count(i for ids in groups.values() for i in ids),))
    return table


def intermediate_table(cohort: Cohort) -> Table:
    """Cases with an intermediate answer, and whether the final one came in time after it."""
    outcome: dict[str, list[int]] = {FINAL_IN_TIME: [], FINAL_LATE: [], FINAL_PENDING: []}
    firsts: dict[int, datetime] = {}
    for step in cohort.steps.values():
        if step.values.get(ANSWER_KIND) == "intermediate" and step.completed_at is not None:
            known = firsts.get(step.instance_id)
            firsts[step.instance_id] = min(known, step.completed_at) if known else step.completed_at
    for instance_id, moment in firsts.items():
        after = [d for d in cohort.deadlines_of(instance_id) if d.armed_at >= moment]
        final = any(
            s.values.get(ANSWER_KIND) == "final" and s.completed_at and s.completed_at > moment
            for s in cohort.steps_of(instance_id)
        )
        if any(d.state is DeadlineState.BREACHED for d in after):
            outcome[FINAL_LATE].append(instance_id)
        elif final:
            outcome[FINAL_IN_TIME].append(instance_id)
        else:
            outcome[FINAL_PENDING].append(instance_id)
    table = Table("intermediate", "Промежуточные ответы", ("итог",), (CASES,))
    table.add(("с промежуточным ответом",), (count(firsts),))
    for name, ids in outcome.items():
        table.add((name,), (count(ids),))
    return table
