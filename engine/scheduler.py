"""The timer scheduler: claims due cases one by one, each advanced in a transaction of its own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from engine.duties.due import start_due_duties
from engine.faults import Backoff, is_transient
from engine.inbox.roster import REVISION as STAFF_REVISION
from engine.instances import advance, lock_by_write, locked_row
from engine.models import ProcessInstance
from engine.recovery import describe_error, mark_failed
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.violations import TIMER_ACTOR

log = logging.getLogger(__name__)


def due_instance_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Running cases whose next timer is due (SpiffWorkflow fires only when due < now)."""
    return list(session.scalars(_DUE.limit(limit), {"now": now}))


def claim_next_due(session: Session, now: datetime, skip: Collection[int] = ()) -> int | None:
    """Claim the earliest due running case for this transaction, or None if none is free."""
    instance = claim_next_due_case(session, now, skip)
    return None if instance is None else instance.id


def claim_next_due_case(
    session: Session, now: datetime, skip: Collection[int] = ()
) -> ProcessInstance | None:
    """Claim the earliest due running case and read its row fresh with its lock."""
    claimed = claim_due(session, now, skip)
    return None if claimed is None else claimed.instance


@dataclass(frozen=True)
class DueClaim:
    """A claimed due case, and whether another case not skipped was due beside it."""

    instance: ProcessInstance
    others_due: bool


def claim_due(session: Session, now: datetime, skip: Collection[int] = ()) -> DueClaim | None:
    """Claim the earliest due running case; its row, read fresh under its lock, and what else."""
    dialect = session.get_bind().dialect.name
    claim = CLAIMS.get(dialect)
    if claim is None:
        raise NotImplementedError(f"no way to claim due cases on {dialect}")
    # The claimed row is read fresh under its lock, so the advance that follows locks nothing.
    row = locked_row(session, claim, {"now": now, "skip": sorted(skip)})
    return None if row is None else DueClaim(row[0], bool(row.others_due))


# Built once (a worker claims at every step of its drain): only `now` and `skip` change.
_DUE = (
    select(ProcessInstance.id)
    .where(
        ProcessInstance.next_due_at < bindparam("now"),
        ProcessInstance.status == InstanceStatus.RUNNING,
    )
    .order_by(ProcessInstance.next_due_at)
)
_NOT_SKIPPED = ProcessInstance.id.not_in(bindparam("skip", expanding=True))
_NEXT_DUE = _DUE.where(_NOT_SKIPPED).limit(1)
_INSTANCES = cast(Table, ProcessInstance.__table__)
# Read with each claim: whether a case other than the claimed one is due and not skipped (two
# such cases, the claimed one among them; counted apart from the claim's own row, which SQLite's
# RETURNING cannot name). A tick stops on the claim that took the last due case instead of
# sending one more to find none; a case that falls due while that advance runs waits for the
# next tick, as one that falls due just after the empty claim always did.
_OTHER = aliased(ProcessInstance)
_TWO_DUE = (
    select(_OTHER.id)
    .where(
        _OTHER.next_due_at < bindparam("now"),
        _OTHER.status == InstanceStatus.RUNNING,
        _OTHER.id.not_in(bindparam("skip", expanding=True)),
    )
    .limit(2)
    .subquery()
)
_OTHERS_DUE = (select(func.count()).select_from(_TWO_DUE).scalar_subquery() > 1).label("others_due")


# PostgreSQL: rows other workers' transactions hold are skipped, so each worker takes the next
# free case; the lock lives as long as this transaction and dies with its connection. Each claim
# reads the staff's revision with the row, as a case's lock does (engine/instances.py).
_CLAIM_SKIPPING_LOCKED = _NEXT_DUE.with_only_columns(
    ProcessInstance, STAFF_REVISION, _OTHERS_DUE
).with_for_update(skip_locked=True, of=ProcessInstance)
# SQLite has one writer: a no-op UPDATE takes the write lock before choosing, so the choice is
# made on fresh data and a second worker queues (busy_timeout) instead of racing; its RETURNING
# reads the row with it (Core, loaded as a query's rows: engine/instances.py).
_CLAIM_WITH_WRITE_LOCK = lock_by_write(_INSTANCES.c.id == _NEXT_DUE.scalar_subquery(), _OTHERS_DUE)

# The claim statement per dialect.
CLAIMS: dict[str, Any] = {
    "postgresql": _CLAIM_SKIPPING_LOCKED,
    "sqlite": _CLAIM_WITH_WRITE_LOCK,
}


@dataclass
class TickReport:
    """What one scheduler tick did."""

    advanced: list[int] = field(default_factory=list)
    retrying: dict[int, str] = field(default_factory=dict)  # transient fault: still running
    failed: dict[int, str] = field(default_factory=dict)  # the regulation failed: parked
    still_due: set[int] = field(default_factory=set)  # advanced, yet a timer stays past due
    drained: bool = False  # it ended because no free case was due any more
    duties: list[int] = field(default_factory=list)  # cases started for scheduled duties

    @property
    def handled(self) -> int:
        """Cases this tick claimed."""
        return len(self.advanced) + len(self.retrying) + len(self.failed)

    def add(self, other: TickReport) -> None:
        """Fold a later tick's report into this one."""
        self.advanced += other.advanced
        self.retrying.update(other.retrying)
        self.failed.update(other.failed)
        self.still_due |= other.still_due
        self.drained = other.drained
        self.duties += other.duties


def tick(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    batch_size: int = 50,
    *,
    backoff: Backoff | None = None,
    stop: threading.Event | None = None,
    skip: Collection[int] = (),
    duties: bool = True,
) -> TickReport:
    """Claim and advance up to `batch_size` due cases, each in its own transaction."""
    backoff = Backoff() if backoff is None else backoff
    report = TickReport()
    # Scheduled duties first: an occurrence due now becomes a case this very tick. A caller
    # that knows no active version declares one (the simulation) spares the round.
    if duties:
        report.duties = start_due_duties(session_factory, runtime).started
    while report.handled < batch_size and not (stop is not None and stop.is_set()):
        excluded = backoff.waiting() | report.still_due | set(skip)
        if not _advance_next(session_factory, runtime, backoff, excluded, report):
            report.drained = True  # the last due case was claimed, or none was left
            break
    return report


def _advance_next(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    backoff: Backoff,
    excluded: set[int],
    report: TickReport,
) -> bool:
    """Claim the next due case and advance it; whether another free case was due beside it."""
    now = runtime.clock.now()
    instance_id: int | None = None
    others_due = False
    try:
        with session_factory.begin() as session:
            claimed = claim_due(session, now, excluded)
            if claimed is None:
                return False
            instance_id, others_due = claimed.instance.id, claimed.others_due
            due = advance(session, runtime, claimed.instance, TIMER_ACTOR).instance.next_due_at
    except Exception as error:
        if instance_id is None:
            raise  # the claim itself failed: nothing to blame on a case
        _fault(session_factory, runtime, backoff, instance_id, error, report)
        return others_due
    backoff.succeeded(instance_id)
    report.advanced.append(instance_id)
    if due is not None and due < now:  # never claim it again in this drain: no busy loop
        report.still_due.add(instance_id)
    return others_due


def _fault(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    backoff: Backoff,
    instance_id: int,
    error: Exception,
    report: TickReport,
) -> None:
    """A transient fault backs the case off; an error of the regulation parks it."""
    reason = describe_error(error)
    if is_transient(error):
        delay = backoff.failed(instance_id)
        log.warning("case %s: transient fault, retry in %.1f s: %s", instance_id, delay, reason)
        report.retrying[instance_id] = reason
        return
    log.error("case %s: the regulation failed, parking it", instance_id, exc_info=error)
    try:
        with session_factory.begin() as session:
            mark_failed(session, runtime, instance_id, error)
    except Exception:  # parking needs the database too: leave it running, retry it later
        log.exception("case %s could not be parked; it stays running", instance_id)
        backoff.failed(instance_id)
        report.retrying[instance_id] = reason
        return
    report.failed[instance_id] = reason
