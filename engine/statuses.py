"""Statuses as enums whose transitions are guarded."""

from __future__ import annotations

import enum


class TransitionError(Exception):
    """A status change that the lifecycle does not allow."""


class InstanceStatus(enum.StrEnum):
    """Lifecycle of a process instance (one per incoming message)."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"

    def can_become(self, target: InstanceStatus) -> bool:
        return target in _INSTANCE_TRANSITIONS[self]

    def guard(self, target: InstanceStatus) -> InstanceStatus:
        """Return `target` if allowed from here, else raise `TransitionError`."""
        if not self.can_become(target):
            raise TransitionError(f"instance cannot go from {self.value} to {target.value}")
        return target


_INSTANCE_TRANSITIONS: dict[InstanceStatus, frozenset[InstanceStatus]] = {
    InstanceStatus.RUNNING: frozenset(
        {
            InstanceStatus.RUNNING,
            InstanceStatus.COMPLETED,
            InstanceStatus.CANCELLED,
            InstanceStatus.ERROR,
        }
    ),
    InstanceStatus.ERROR: frozenset({InstanceStatus.RUNNING, InstanceStatus.CANCELLED}),
    InstanceStatus.COMPLETED: frozenset(),
    InstanceStatus.CANCELLED: frozenset(),
}


class AuditKind(enum.StrEnum):
    """Kinds of append-only audit events."""

    VERSION_DEPLOYED = "version_deployed"
    VERSION_ACTIVATED = "version_activated"
    INSTANCE_STARTED = "instance_started"
    TASK_READY = "task_ready"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_COMPLETED = "task_completed"
    TASK_CANCELLED = "task_cancelled"
    TIMER_FIRED = "timer_fired"
    VIOLATION = "violation"
    MESSAGE_CORRELATED = "message_correlated"
    INSTANCE_COMPLETED = "instance_completed"
    INSTANCE_FAILED = "instance_failed"
    SUBSTITUTION_NAMED = "substitution_named"
    SUBSTITUTION_ENDED = "substitution_ended"
    INSTANCE_RETRIED = "instance_retried"
