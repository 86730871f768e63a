"""The quality side of the monthly analysis: answers returned for rework, and the topics asked."""

from __future__ import annotations

from collections import defaultdict

from engine.forms import library
from engine.reports.figures import count, share, tally
from engine.reports.load import Cohort
from engine.reports.model import Cell, Table

# The library's review and route fields (engine/forms/library.yaml).
DECISION, REASONS, TOPIC = "review_decision", "rework_reasons", "topic"
REVIEWS, REWORK, REWORK_SHARE = "проверок", "возвращено на доработку", "доля возвратов, %"


def quality_table(cohort: Cohort) -> Table:
    """Reviews of answers and how many went back for rework, by the reason given."""
    reasons_field = library()["review"].field(REASONS)
    reviews, returned = [], []
    by_reason: dict[str, list[int]] = defaultdict(list)
    for step in cohort.steps.values():
        decision = step.values.get(DECISION)
        if decision is None:
            continue
        reviews.append(step.instance_id)
        if decision == "rework":
            returned.append(step.instance_id)
            for reason in step.values.get(REASONS) or ["—"]:
                label = reasons_field.choice_label(reason) if reasons_field else reason
                by_reason[label].append(step.instance_id)
    table = Table(
        "quality",
        "Качество ответов: проверки и возвраты",
        ("причина",),
        (REVIEWS, REWORK, REWORK_SHARE),
    )
    table.add(
        ("все проверки",),
        (tally(reviews), tally(returned), Cell(share(len(returned), len(reviews)))),
    )
    for reason in sorted(by_reason):
        table.add((reason,), (Cell(None), tally(by_reason[reason]), Cell(None)))
    return table


def topics_table(cohort: Cohort) -> Table:
    """The topics the routing named (what the messages were about)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for step in cohort.steps.values():
        topic = step.values.get(TOPIC)
        if topic:
            groups[str(topic).strip().lower()].append(step.instance_id)
    table = Table(
        "topics", "Темы обращений (по направлению исполнителям)", ("тема",), ("обращений",)
    )
    for topic in sorted(groups, key=lambda name: (-len(set(groups[name])), name)):
        table.add((topic,), (count(groups[topic]),))
    return table
