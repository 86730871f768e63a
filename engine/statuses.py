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


class DeadlineState(enum.StrEnum):
    """Lifecycle of one occurrence of a deadline in a case."""

    ARMED = "armed"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"  # another term replaced it (superseded_by): its breach withdrawn

    @property
    def is_open(self) -> bool:
        """Still counting (armed or paused)."""
        return self in (DeadlineState.ARMED, DeadlineState.PAUSED)

    def guard(self, target: DeadlineState) -> DeadlineState:
        """Return `target` if allowed from here, else raise `TransitionError`."""
        if target not in _DEADLINE_TRANSITIONS[self]:
            raise TransitionError(f"deadline cannot go from {self.value} to {target.value}")
        return target


# A breached deadline stays breached (its late completion only sets `ended_at`).
_DEADLINE_TRANSITIONS: dict[DeadlineState, frozenset[DeadlineState]] = {
    DeadlineState.ARMED: frozenset(
        {DeadlineState.PAUSED, DeadlineState.MET, DeadlineState.BREACHED, DeadlineState.CANCELLED}
    ),
    DeadlineState.PAUSED: frozenset(
        {DeadlineState.ARMED, DeadlineState.MET, DeadlineState.CANCELLED}
    ),
    DeadlineState.MET: frozenset(),
    DeadlineState.BREACHED: frozenset({DeadlineState.SUPERSEDED}),
    DeadlineState.CANCELLED: frozenset(),
    DeadlineState.SUPERSEDED: frozenset(),
}


class NoticeKind(enum.StrEnum):
    """Why a notice was sent."""

    BREACH = "breach"
    REMINDER = "reminder"


class AuditKind(enum.StrEnum):
    """Kinds of append-only audit events."""

    VERSION_DEPLOYED = "version_deployed"
    VERSION_ACTIVATED = "version_activated"
    VERSION_TESTED = "version_tested"  # its scenarios passed at deploy (the evidence kept)
    VERSION_UNTESTED = "version_untested"  # deployed with --no-scenarios: who and why
    VERSION_SCHEDULED = "version_scheduled"  # to become active at a moment (the worker does it)
    VERSION_ROLLED_BACK = "version_rolled_back"
    INSTANCE_MIGRATED = "instance_migrated"  # moved to another version of its regulation
    MIGRATION_REQUESTED = "migration_requested"  # a batch queued for the worker (web)
    MIGRATION_FINISHED = "migration_finished"  # the worker reached its last case
    INSTANCE_STARTED = "instance_started"
    DUTY_STARTED = "duty_started"  # a scheduled duty's occurrence became a case (engine/duties)
    TASK_READY = "task_ready"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_ASSIGNED = "task_assigned"  # given to a named colleague by a curator, head or admin
    TASK_COMPLETED = "task_completed"
    TASK_CANCELLED = "task_cancelled"
    TIMER_FIRED = "timer_fired"
    VIOLATION = "violation"
    VIOLATION_WITHDRAWN = "violation_withdrawn"  # a later term replaced the breached one
    MESSAGE_CORRELATED = "message_correlated"
    INSTANCE_COMPLETED = "instance_completed"
    INSTANCE_FAILED = "instance_failed"
    DEADLINE_PAUSED = "deadline_paused"
    DEADLINE_RESUMED = "deadline_resumed"
    NOTICE_SENT = "notice_sent"
    NOTICE_ACKNOWLEDGED = "notice_acknowledged"
    SUBSTITUTION_NAMED = "substitution_named"
    SUBSTITUTION_ENDED = "substitution_ended"
    INSTANCE_RETRIED = "instance_retried"
    ANSWER_PUBLISHED = "answer_published"  # through a channel (engine/publishing) or by hand
    ANSWER_PUBLISH_FAILED = "answer_publish_failed"
    ANSWER_PUBLISH_RETRIED = "answer_publish_retried"
    API_TOKEN_CREATED = "api_token_created"
    API_TOKEN_REVOKED = "api_token_revoked"
    USER_CREATED = "user_created"  # the administrator's people pages (engine/staff.py)
    USER_UPDATED = "user_updated"
    USER_PASSWORD_RESET = "user_password_reset"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    ATTACHMENT_ADDED = "attachment_added"  # a file uploaded on a step (engine/attachments)
    COMMENT_POSTED = "comment_posted"  # an internal note on a case (engine/inbox/comments.py)
