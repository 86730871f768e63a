"""A month's timeliness report over 100,000 cases against the bare SQL of its main query."""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from benchmarks.common import PROCESSES, databases, make_runtime, new_sessions
from engine.models import AuditEvent, CaseDeadline, Message, ProcessInstance
from engine.reports import Filters, build_report
from engine.reports.load import cohort_query
from engine.statuses import AuditKind, DeadlineState, InstanceStatus
from engine.versions import deploy_file

CASES = 100_000
BATCH = 5_000
PERM = timezone(timedelta(hours=5))
MONTH = (date(2026, 3, 1), date(2026, 3, 31))
FIRST = datetime(2026, 3, 1, tzinfo=PERM)
SPREAD = timedelta(days=31) / (CASES + 1)  # every case inside March
# Two deadlines per case (screening by the curator, the draft by a department): every 7th late.
STEPS = (
    ("screen", "Пермь, п. 3.1", "1 час", None, timedelta(minutes=20)),
    ("draft_feed", "Пермь, п. 3.2.1", "4 часа", "ddh", timedelta(hours=2)),
)


def fill(engine: Engine) -> None:
    """Cases, messages, deadlines and task audit events in bulk, spread over March."""
    _clock, runtime = make_runtime()
    with new_sessions(engine).begin() as session:
        version_id = deploy_file(
            session, runtime, PROCESSES / "perm" / "v1" / "perm.bpmn", "b"
        ).version.id
    for start in range(0, CASES, BATCH):
        numbers = range(start + 1, min(start + BATCH, CASES) + 1)
        with engine.begin() as connection:
            connection.execute(
                insert(ProcessInstance.__table__), [_case(n, version_id) for n in numbers]
            )
            connection.execute(insert(Message.__table__), [_message(n) for n in numbers])
            connection.execute(
                insert(CaseDeadline.__table__), [_deadline(n, s) for n in numbers for s in range(2)]
            )
            connection.execute(
                insert(AuditEvent.__table__),
                [event for n in numbers for s in range(2) for event in _events(n, s)],
            )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _started(n: int) -> datetime:
    return FIRST + SPREAD * n


def _case(n: int, version_id: int) -> dict[str, Any]:
    return {
        "id": n,
        "version_id": version_id,
        "municipality": "perm",
        "status": InstanceStatus.COMPLETED.value,
        "correlation_key": f"perm|vk|a{n}|{n}",
        "state": "{}",
        "started_at": _started(n),
        "updated_at": _started(n),
        "revision": 1,
    }


def _message(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "municipality": "perm",
        "source": ("vk", "ok", "monitoring", "incident_manager")[n % 4],
        "external_id": f"b{n}",
        "channel": "private" if n % 5 == 0 else "feed",
        "official_page": True,
        "author": "Автор",
        "author_id": f"a{n}",
        "text": "Яма во дворе",
        "correlation_key": f"perm|vk|a{n}|{n}",
        "received_at": _started(n),
        "payload": {},
        "instance_id": n,
    }


def _deadline(n: int, step: int) -> dict[str, Any]:
    element, clause, term, department, took = STEPS[step]
    late = n % 7 == step
    start = _started(n)
    return {
        "instance_id": n,
        "municipality": "perm",
        "key": f"t{n}-{step}",
        "name": element,
        "clause": clause,
        "text": term,
        "span": False,
        "element_id": element,
        "task_id": f"{n:08d}-0000-0000-0000-{step:012d}",
        "occurrence": 1,
        "state": (DeadlineState.BREACHED if late else DeadlineState.MET).value,
        "armed_at": start,
        "start_at": start,
        "due_at": start + timedelta(hours=1 if step == 0 else 4),
        "working": False,
        "breached_at": start + timedelta(hours=1) if late else None,
        "ended_at": start + took,
        "responsible_department": department if late else None,
        "responsible_user": f"user{n % 40}" if late else None,
        "holders": [],
        "outside_office_hours": False,
    }


def _events(n: int, step: int) -> list[dict[str, Any]]:
    element, _clause, _term, department, took = STEPS[step]
    task_id = f"{n:08d}-0000-0000-0000-{step:012d}"
    common = {"instance_id": n, "task_id": task_id, "element_id": element}
    return [
        {
            **common,
            "kind": AuditKind.TASK_READY.value,
            "at": _started(n),
            "actor": "engine",
            "data": {"lane": "curator", "department": department},
        },
        {
            **common,
            "kind": AuditKind.TASK_COMPLETED.value,
            "at": _started(n) + took,
            "actor": f"user{n % 40}",
            "data": {"values": {"screen_decision": "process"}},
        },
    ]


def bare_sql(engine: Engine) -> int:
    """The main query alone: the cohort's deadlines counted per clause and state, in SQL."""
    start = datetime(2026, 3, 1, tzinfo=PERM)
    cohort = cohort_query("perm", start, start + timedelta(days=31)).subquery()
    query = (
        select(CaseDeadline.clause, CaseDeadline.state, func.count())
        .where(CaseDeadline.instance_id.in_(select(cohort.c.id)))
        .group_by(CaseDeadline.clause, CaseDeadline.state)
    )
    with engine.connect() as connection:
        return len(connection.execute(query).all())


def timed(action: Any) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def bench_database(name: str, engine: Engine) -> None:
    filling = timed(lambda: fill(engine))
    _clock, runtime = make_runtime()
    sessions = new_sessions(engine)

    def report() -> None:
        with sessions() as session:
            built = build_report(session, runtime, Filters("perm", *MONTH))
            assert built.table("received").rows[-1][1][0].value == CASES

    bare = min(timed(lambda: bare_sql(engine)) for _ in range(3))
    full = min(timed(report) for _ in range(2))
    print(
        f"  {name}: {CASES:,} cases filled in {filling:.0f} s; the month's report {full:.2f} s, "
        f"the bare SQL of its main query {bare * 1000:.0f} ms ({full / bare:.0f}×)"
    )


def main() -> None:
    """The report benchmark on SQLite and, when reachable, PostgreSQL."""
    with tempfile.TemporaryDirectory(prefix="reglament-bench-reports-") as folder:
        for name, engine in databases(Path(folder)):
            if engine is not None:
                bench_database(name, engine)
