"""Starting a duty's occurrence as a case: exactly once, dated at its scheduled moment."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.bpmn.serialization import dump_state
from engine.clock import FixedClock, using_clock
from engine.duties.declared import DutyDecl
from engine.instances import AdvanceResult, advance
from engine.models import DutyOccurrence, ProcessInstance, ProcessVersion
from engine.projection import keep_step_authors
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.versions import load_version

# Started this long after its moment, an occurrence was missed by the worker (it was down):
# it is still started, dated at its moment, and marked late (docs/engine.md, «Scheduled duties»).
LATE_AFTER = timedelta(minutes=15)


def start_occurrence(
    session: Session,
    runtime: Runtime,
    version: ProcessVersion,
    duty: DutyDecl,
    moment: datetime,
    actor: str,
) -> AdvanceResult | None:
    """Start the case of one occurrence; None when another worker already started it."""
    # Per municipality, not per version: a worker still seeing the previous active version
    # cannot start the same occurrence once more during an activation.
    lock_duty(session, version.municipality, duty.start_event)
    if _occurrence(session, version.municipality, duty.start_event, moment) is not None:
        return None
    now = runtime.clock.now()
    late = now - moment > LATE_AFTER
    row = DutyOccurrence(
        version_id=version.id,
        municipality=version.municipality,
        process_id=duty.process_id,
        start_event=duty.start_event,
        occurs_at=moment,
        started_at=now,
        late=late,
    )
    try:
        with session.begin_nested():  # the unique constraint is the last word on «once»
            session.add(row)
    except IntegrityError:
        return None
    result = _start_case(session, runtime, version, duty, moment, late, actor)
    row.instance_id = result.instance.id
    audit.record(
        session,
        AuditKind.DUTY_STARTED,
        now,
        actor,
        instance_id=result.instance.id,
        version_id=version.id,
        duty=duty.process_id,
        occurs_at=moment.isoformat(),
        late=late,
    )
    return result


def _start_case(
    session: Session,
    runtime: Runtime,
    version: ProcessVersion,
    duty: DutyDecl,
    moment: datetime,
    late: bool,
    actor: str,
) -> AdvanceResult:
    """Run the case to its first wait at its moment, then catch up to now (a late start)."""
    loaded = load_version(version, runtime)
    at_moment = replace(runtime, clock=FixedClock(moment))
    data = duty_data(duty, moment, late)
    with using_clock(at_moment.clock):
        workflow = BpmnWorkflow(
            loaded.spec_of(duty.process_id),
            loaded.subprocess_specs,
            script_engine=loaded.script_engine,
        )
        workflow.data.update(data)
        workflow.task_tree.data.update(data)
        keep_step_authors(workflow)
    instance = ProcessInstance(
        version_id=version.id,
        municipality=version.municipality,
        process_id=duty.process_id,
        status=InstanceStatus.RUNNING,
        correlation_key=f"duty|{version.municipality}|{duty.start_event}|{moment.isoformat()}",
        state=dump_state(workflow),
        started_at=moment,
        updated_at=moment,
    )
    session.add(instance)
    session.flush()
    audit.record(
        session,
        AuditKind.INSTANCE_STARTED,
        moment,
        actor,
        instance_id=instance.id,
        version_id=version.id,
        duty=duty.process_id,
    )
    result = advance(session, at_moment, instance.id, actor, started=True)
    if runtime.clock.now() > moment:
        # What fell due between the moment and now fires at its own due moment (catch_up).
        result = advance(session, runtime, instance.id, actor)
    return result


def duty_data(duty: DutyDecl, moment: datetime, late: bool) -> dict[str, Any]:
    """What the duty's diagram and deadline table read: `received_at` is the occurrence."""
    stamp = moment.isoformat()
    return {
        "duty": {
            "process": duty.process_id,
            "name": duty.name,
            "schedule": duty.schedule,
            "occurs_at": stamp,
            "late": late,
        },
        "received_at": stamp,
        "completed_at": {},
        "last_completed_at": stamp,
    }


def _occurrence(
    session: Session, municipality: str, start_event: str, moment: datetime
) -> DutyOccurrence | None:
    return session.scalar(
        select(DutyOccurrence).where(
            DutyOccurrence.municipality == municipality,
            DutyOccurrence.start_event == start_event,
            DutyOccurrence.occurs_at == moment,
        )
    )


def last_occurrence(session: Session, municipality: str, start_event: str) -> datetime | None:
    """The latest occurrence of a duty in the municipality, whichever version started it."""
    return session.scalar(
        select(func.max(DutyOccurrence.occurs_at)).where(
            DutyOccurrence.municipality == municipality,
            DutyOccurrence.start_event == start_event,
        )
    )


def lock_duty(session: Session, municipality: str, start_event: str) -> None:
    """Serialise the start of one duty's occurrences until the transaction ends."""
    dialect = session.get_bind().dialect.name
    _LOCKS.get(dialect, _write_lock)(session, f"duty|{municipality}|{start_event}")


def _advisory_lock(session: Session, key: str) -> None:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True))))


def _write_lock(session: Session, _key: str) -> None:
    # SQLite has one writer: taking the write lock before the read makes a second worker wait
    # (busy_timeout) and then see the first one's occurrence, instead of racing to insert it.
    session.execute(
        update(DutyOccurrence)
        .where(false())
        .values(id=DutyOccurrence.id)
        .execution_options(synchronize_session=False)
    )


_LOCKS: dict[str, Callable[[Session, str], None]] = {
    "postgresql": _advisory_lock,
    "sqlite": _write_lock,
}
