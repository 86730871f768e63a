"""Migrations the web asks for: queued as a run, worked through by the worker in chunks.

A run lists its cases when it is requested (one pending row each), so its total is fixed and its
progress survives a reload or a restart: the worker takes the next chunk of pending cases, moves
each in its own transaction exactly as `reglament version migrate` does (`migrate_batch`), and
writes each verdict as it comes. A lease on the run keeps two workers off the same chunk; a
crashed worker's lease runs out and another goes on where it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.models import MigrationRun, MigrationRunCase, ProcessVersion
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versioning.batch import cases_to_migrate, mapping_problems, migrate_batch, plan_for
from engine.versioning.migration import CaseVerdict, MigrationPlan

CHUNK = 50  # cases per wake-up: the worker fires due deadlines between chunks
LEASE = timedelta(minutes=10)  # longer than any chunk takes; a crashed worker's runs out
WORKER_ACTOR = "worker"
SHOWN = 200  # verdicts a progress page lists (failures first)


class RunRefused(Exception):
    """A run that cannot be queued; the reason is in Russian. `conflict`: another is open."""

    def __init__(self, text: str, *, conflict: bool = False) -> None:
        super().__init__(text)
        self.conflict = conflict


@dataclass(frozen=True)
class RunView:
    """A run as its page shows it: labels, counts, state and the verdicts so far."""

    run: MigrationRun
    old_label: str
    new_label: str
    failures: list[dict[str, Any]]
    latest: list[dict[str, Any]]

    @property
    def finished(self) -> bool:
        """Whether the worker reached the last case."""
        return self.run.finished_at is not None

    @property
    def state(self) -> str:
        """В очереди, идёт или завершён."""
        if self.run.finished_at is not None:
            return "завершён"
        return "идёт" if self.run.started_at is not None else "в очереди"


def request_run(
    session: Session,
    municipality: str,
    old_label: str,
    new_label: str,
    actor: str,
    now: datetime,
    *,
    dry_run: bool,
    recompute: bool = False,
    mapping: dict[str, str] | None = None,
    case_ids: Sequence[int] | None = None,
) -> MigrationRun:
    """Queue a run of the running cases of A, or of these (VersionNotFound, RunRefused)."""
    plan = plan_for(session, municipality, old_label, new_label, mapping, recompute=recompute)
    if plan.old.id == plan.new.id:
        raise RunRefused(f"Перенос с версии «{old_label}» на неё же: выберите другую версию.")
    problems = mapping_problems(plan)
    if problems:
        raise RunRefused(f"Соответствие шагов: {'; '.join(problems)}.")
    busy = open_run(session, municipality)
    if busy is not None:
        raise RunRefused(
            f"Уже идёт перенос дел № {busy.id}: дождитесь его окончания.", conflict=True
        )
    ids = list(case_ids) if case_ids is not None else cases_to_migrate(session, plan)
    if not ids:
        raise RunRefused(f"На версии «{old_label}» нет дел в работе: переносить нечего.")
    run = MigrationRun(
        municipality=municipality,
        from_version_id=plan.old.id,
        to_version_id=plan.new.id,
        dry_run=dry_run,
        recompute=recompute,
        mapping=dict(mapping or {}),
        requested_by=actor,
        requested_at=now,
        total=len(ids),
        done=0,
        failed=0,
    )
    session.add(run)
    session.flush()
    session.execute(insert(MigrationRunCase), [{"run_id": run.id, "instance_id": i} for i in ids])
    audit.record(
        session,
        AuditKind.MIGRATION_REQUESTED,
        now,
        actor,
        version_id=plan.new.id,
        run=run.id,
        from_version=old_label,
        to_version=new_label,
        dry_run=dry_run,
        deadlines="recomputed" if recompute else "kept",
        mapping=run.mapping,
        cases=len(ids),
    )
    return run


def open_run(session: Session, municipality: str) -> MigrationRun | None:
    """The municipality's run not yet finished, if any."""
    return session.scalar(
        select(MigrationRun)
        .where(MigrationRun.municipality == municipality, MigrationRun.finished_at.is_(None))
        .order_by(MigrationRun.id)
        .limit(1)
    )


def recent_runs(session: Session, municipality: str, limit: int = 10) -> list[RunView]:
    """The municipality's latest runs, newest first (without their verdicts)."""
    runs = session.scalars(
        select(MigrationRun)
        .where(MigrationRun.municipality == municipality)
        .order_by(MigrationRun.id.desc())
        .limit(limit)
    )
    return [RunView(run, *_labels(session, run), [], []) for run in runs]


def run_view(session: Session, municipality: str, run_id: int) -> RunView | None:
    """One run of the municipality with its verdicts so far; None for another town's run."""
    run = session.get(MigrationRun, run_id)
    if run is None or run.municipality != municipality:
        return None
    decided = select(MigrationRunCase.verdict).where(
        MigrationRunCase.run_id == run_id, MigrationRunCase.can.is_not(None)
    )
    failures = session.scalars(
        decided.where(MigrationRunCase.can.is_(False))
        .order_by(MigrationRunCase.instance_id)
        .limit(SHOWN)
    )
    latest = session.scalars(
        decided.where(MigrationRunCase.can.is_(True))
        .order_by(MigrationRunCase.instance_id.desc())
        .limit(SHOWN)
    )
    return RunView(
        run,
        *_labels(session, run),
        [dict(v or {}) for v in failures],
        [dict(v or {}) for v in latest],
    )


def worker_job(
    sessions: sessionmaker[Session], runtime: Runtime, stop: threading.Event
) -> float | None:
    """One chunk of the oldest open run; 0 s while work remains, None when none is open."""
    if stop.is_set():
        return None
    run_id = _claim(sessions, runtime.clock.now())
    if run_id is None:
        return None
    try:
        _work_chunk(sessions, runtime, run_id)
    finally:
        with sessions.begin() as session:
            session.execute(
                update(MigrationRun).where(MigrationRun.id == run_id).values(lease_until=None)
            )
    return 0.0


def _claim(sessions: sessionmaker[Session], now: datetime) -> int | None:
    """Lease the oldest open run no other worker holds; its id, or None."""
    with sessions.begin() as session:
        candidates = session.scalars(
            select(MigrationRun.id)
            .where(MigrationRun.finished_at.is_(None))
            .where(or_(MigrationRun.lease_until.is_(None), MigrationRun.lease_until < now))
            .order_by(MigrationRun.id)
        ).all()
        for run_id in candidates:
            # The guarded UPDATE is the claim: of two workers, only one changes the row.
            claimed = session.execute(
                update(MigrationRun)
                .where(
                    MigrationRun.id == run_id,
                    or_(MigrationRun.lease_until.is_(None), MigrationRun.lease_until < now),
                )
                .values(lease_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                session.execute(
                    update(MigrationRun)
                    .where(MigrationRun.id == run_id, MigrationRun.started_at.is_(None))
                    .values(started_at=now)
                )
                return run_id
    return None


def _work_chunk(sessions: sessionmaker[Session], runtime: Runtime, run_id: int) -> None:
    """Migrate the next pending cases of the run, recording each verdict as it comes."""
    with sessions() as session:
        run = session.get_one(MigrationRun, run_id)
        plan = MigrationPlan(
            session.get_one(ProcessVersion, run.from_version_id),
            session.get_one(ProcessVersion, run.to_version_id),
            dict(run.mapping or {}),
            run.recompute,
        )
        dry_run, actor = run.dry_run, run.requested_by
        pending = list(
            session.scalars(
                select(MigrationRunCase.instance_id)
                .where(MigrationRunCase.run_id == run_id, MigrationRunCase.can.is_(None))
                .order_by(MigrationRunCase.instance_id)
                .limit(CHUNK)
            )
        )
    if pending:
        record = _recorder(sessions, runtime, run_id)
        migrate_batch(sessions, runtime, plan, pending, actor, dry_run=dry_run, progress=record)
    with sessions.begin() as session:
        left = session.scalar(
            select(MigrationRunCase.instance_id)
            .where(MigrationRunCase.run_id == run_id, MigrationRunCase.can.is_(None))
            .limit(1)
        )
        if left is None:
            _finish(session, run_id, runtime.clock.now())


def _recorder(sessions: sessionmaker[Session], runtime: Runtime, run_id: int) -> Any:
    """A progress callback writing each case's verdict and the run's counts."""

    def record(verdict: CaseVerdict) -> None:
        now = runtime.clock.now()
        with sessions.begin() as session:
            session.execute(
                update(MigrationRunCase)
                .where(
                    MigrationRunCase.run_id == run_id,
                    MigrationRunCase.instance_id == verdict.instance_id,
                )
                .values(can=verdict.can, verdict=verdict.as_json(), decided_at=now)
            )
            session.execute(
                update(MigrationRun)
                .where(MigrationRun.id == run_id)
                .values(
                    done=MigrationRun.done + 1,
                    failed=MigrationRun.failed + (0 if verdict.can else 1),
                    lease_until=now + LEASE,
                )
            )

    return record


def _finish(session: Session, run_id: int, now: datetime) -> None:
    run = session.get_one(MigrationRun, run_id)
    run.finished_at = now
    audit.record(
        session,
        AuditKind.MIGRATION_FINISHED,
        now,
        WORKER_ACTOR,
        version_id=run.to_version_id,
        run=run.id,
        requested_by=run.requested_by,
        dry_run=run.dry_run,
        total=run.total,
        done=run.done,
        failed=run.failed,
    )


def _labels(session: Session, run: MigrationRun) -> tuple[str, str]:
    query = select(ProcessVersion.id, ProcessVersion.label).where(
        ProcessVersion.id.in_((run.from_version_id, run.to_version_id))
    )
    labels = {row.id: row.label for row in session.execute(query)}
    return labels[run.from_version_id], labels[run.to_version_id]
