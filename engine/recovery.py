"""Parking a case whose regulation fails, and resuming it once the cause is dealt with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine import audit
from engine.faults import is_transient
from engine.instances import AdvanceResult, advance, lock_instance
from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.violations import TIMER_ACTOR


class InstanceNotParked(Exception):
    """A retry of a case that is not parked in error."""


@dataclass
class RetryResult:
    """What a retry did: the case advanced, or it stopped again with a new reason."""

    instance: ProcessInstance
    advanced: AdvanceResult | None
    error: str | None

    @property
    def parked_again(self) -> bool:
        """Whether the regulation failed again and the case is back in error."""
        return self.advanced is None


def describe_error(error: BaseException) -> str:
    """The reason a case stopped, as stored on it and shown to administrators."""
    return f"{type(error).__name__}: {error}"


def mark_failed(
    session: Session,
    runtime: Runtime,
    instance_id: int,
    error: BaseException,
    actor: str = TIMER_ACTOR,
) -> bool:
    """Park a running case in ERROR with the reason (audited); False if it no longer runs."""
    instance = lock_instance(session, instance_id)
    if instance.status is not InstanceStatus.RUNNING:
        return False  # finished or parked meanwhile by someone else
    instance.status = instance.status.guard(InstanceStatus.ERROR)
    instance.error = describe_error(error)
    instance.next_due_at = None  # out of the due index: parked cases must not slow every tick
    instance.updated_at = runtime.clock.now()
    audit.record(
        session,
        AuditKind.INSTANCE_FAILED,
        instance.updated_at,
        actor,
        instance_id=instance_id,
        error=instance.error,
    )
    return True


def retry_case(session: Session, runtime: Runtime, instance_id: int, actor: str) -> RetryResult:
    """Resume a parked case and advance it once; if the regulation fails again, park it again."""
    instance = lock_instance(session, instance_id)
    if instance.status is not InstanceStatus.ERROR:
        raise InstanceNotParked(f"case {instance_id} is {instance.status.value}, not parked")
    previous = instance.error
    instance.status = instance.status.guard(InstanceStatus.RUNNING)
    instance.error = None
    instance.updated_at = runtime.clock.now()
    audit.record(
        session,
        AuditKind.INSTANCE_RETRIED,
        instance.updated_at,
        actor,
        instance_id=instance_id,
        previous_error=previous,
    )
    try:
        # The advance gets a savepoint, so a failing regulation leaves the retry's audit row
        # and the new reason in the caller's one transaction, and nothing half-saved.
        with session.begin_nested():
            result = advance(session, runtime, instance_id, actor)
    except Exception as error:
        if is_transient(error):
            raise  # the caller's transaction rolls back: the case stays parked, try again
        mark_failed(session, runtime, instance_id, error, actor)
        return RetryResult(instance, None, instance.error)
    return RetryResult(result.instance, result, None)
