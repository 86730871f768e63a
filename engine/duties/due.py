"""The worker's round over scheduled duties: every occurrence due by now, each started once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, sessionmaker

from engine.duties.declared import DutyDecl, from_catalog
from engine.duties.starter import last_occurrence, start_occurrence
from engine.models import ProcessVersion
from engine.runtime import Runtime
from engine.versions import LARGE_VERSION_COLUMNS, load_version
from engine.worktime.schedule import occurrences, parse_schedule

log = logging.getLogger(__name__)

DUTY_ACTOR = "schedule"
# A worker down for months starts the missed occurrences over several rounds, not in one.
MAX_PER_ROUND = 100


@dataclass(frozen=True)
class DueOccurrence:
    """An occurrence of a duty of an active version that has no case yet."""

    version_id: int
    duty: DutyDecl
    moment: datetime


@dataclass
class DutyReport:
    """What one round over the duties did."""

    started: list[int] = field(default_factory=list)  # the cases started
    failed: dict[str, str] = field(default_factory=dict)  # duty process id: the reason


def due_occurrences(session: Session, runtime: Runtime, now: datetime) -> list[DueOccurrence]:
    """Occurrences after each duty's last one (or its version's deployment), up to `now`."""
    found: list[DueOccurrence] = []
    for version in _active_versions(session):
        loaded = load_version(version, runtime)
        for raw in (loaded.catalog.get("duties") or {}).values():
            duty = from_catalog(raw)
            last = last_occurrence(session, version.municipality, duty.start_event)
            after = max(last, version.deployed_at) if last else version.deployed_at
            rule = parse_schedule(duty.schedule)
            moments = occurrences(rule, loaded.reader.calendar, after, now)
            found += [DueOccurrence(version.id, duty, m) for m in islice(moments, MAX_PER_ROUND)]
    return sorted(found, key=lambda due: due.moment)[:MAX_PER_ROUND]


def _active_versions(session: Session) -> list[ProcessVersion]:
    query = select(ProcessVersion).where(ProcessVersion.is_active.is_(True))
    return list(session.scalars(query.options(*(defer(c) for c in LARGE_VERSION_COLUMNS))))


def start_due_duties(session_factory: sessionmaker[Any], runtime: Runtime) -> DutyReport:
    """Start every due occurrence, each in a transaction of its own, earliest first."""
    report = DutyReport()
    now = runtime.clock.now()
    with session_factory() as session:
        due = due_occurrences(session, runtime, now)
    for occurrence in due:
        if occurrence.duty.process_id in report.failed:
            continue  # a failing duty waits for the next round; the others go on
        try:
            with session_factory.begin() as session:
                version = session.get_one(ProcessVersion, occurrence.version_id)
                result = start_occurrence(
                    session, runtime, version, occurrence.duty, occurrence.moment, DUTY_ACTOR
                )
                if result is not None:
                    report.started.append(result.instance.id)
        except Exception as error:  # one duty's fault never stops the worker
            log.exception("duty %s: occurrence %s failed", occurrence.duty.process_id, occurrence)
            report.failed[occurrence.duty.process_id] = str(error)
    return report
