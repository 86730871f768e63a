"""Messages received by source and channel, and repeats."""

from __future__ import annotations

from collections import defaultdict

from engine.reports.figures import count, tally
from engine.reports.load import Cohort
from engine.reports.model import Table

RECEIVED, REPEATS, CASES_WITH_REPEATS = "получено", "повторных", "обращений с повторами"


def received_table(cohort: Cohort) -> Table:
    """First messages (one per case) by source and channel."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for message in cohort.messages:
        if not message.repeat:
            groups[(message.source, message.channel)].append(message.instance_id)
    table = Table(
        "received", "Поступило сообщений", ("источник", "канал"), (RECEIVED,), chart=RECEIVED
    )
    for labels in sorted(groups):
        table.add(labels, (count(groups[labels]),))
    if groups:
        table.add(("Итого", ""), (count(i for ids in groups.values() for i in ids),))
    return table


def repeats_table(cohort: Cohort) -> Table:
    """Repeat messages that reached a running case, by the case's source."""
    first_source = {m.instance_id: m.source for m in cohort.messages if not m.repeat}
    groups: dict[str, list[int]] = defaultdict(list)
    for message in cohort.messages:
        if message.repeat:
            groups[first_source.get(message.instance_id, message.source)].append(
                message.instance_id
            )
    table = Table("repeats", "Повторные сообщения", ("источник",), (REPEATS, CASES_WITH_REPEATS))
    for source in sorted(groups):
        table.add((source,), (tally(groups[source]), count(groups[source])))
    every = [i for ids in groups.values() for i in ids]
    table.add(("Итого",), (tally(every), count(every)))
    return table
