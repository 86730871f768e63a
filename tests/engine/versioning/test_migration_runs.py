"""Queued migration runs: two workers share one run, each case moves and is recorded once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.models import AuditEvent, MigrationRun, MigrationRunCase, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versioning import runs
from tests.engine.helpers import send
from tests.engine.versioning.helpers import deploy, example_processes

CASES = 8


@pytest.fixture
def admin_runtime(clock: VirtualClock, tmp_path: Path) -> Runtime:
    """The runtime on a processes folder with the example's v1 and v2."""
    return Runtime(clock=clock, processes_dir=example_processes(tmp_path))


def test_two_workers_work_one_run_without_moving_a_case_twice(
    sessions: sessionmaker[Session], admin_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs, "CHUNK", 2)
    deploy(sessions, admin_runtime, "v1")
    cases = [
        send(sessions, admin_runtime, str(n), author_id=f"id{n}").message.instance_id
        for n in range(CASES)
    ]
    new = deploy(sessions, admin_runtime, "v2")
    now = admin_runtime.clock.now()
    with sessions.begin() as session:
        run_id = runs.request_run(session, "example", "v1", "v2", "admin", now, dry_run=False).id
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while runs.worker_job(sessions, admin_runtime, threading.Event()) is not None:
                pass
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with sessions() as session:
        run = session.get_one(MigrationRun, run_id)
        assert (run.total, run.done, run.failed) == (CASES, CASES, 0)
        assert run.finished_at is not None and run.lease_until is None
        verdicts = session.scalars(
            select(MigrationRunCase).where(MigrationRunCase.run_id == run_id)
        )
        assert all(row.can and not row.verdict["already"] for row in verdicts)  # type: ignore[index]
        moved = Counter(
            session.scalars(
                select(AuditEvent.instance_id).where(AuditEvent.kind == AuditKind.INSTANCE_MIGRATED)
            )
        )
        assert moved == Counter(cases)  # each case once
        finished = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.MIGRATION_FINISHED)
        ).all()
        assert len(finished) == 1
        versions = set(session.scalars(select(ProcessInstance.version_id)))
    assert versions == {new.id}
