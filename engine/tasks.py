"""Claiming and releasing open user tasks (the projection row, audited)."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from engine import audit
from engine.models import OpenUserTask
from engine.runtime import Runtime
from engine.statuses import AuditKind


class TaskNotOpenError(Exception):
    """The task is no longer open (completed or cancelled)."""


class TaskClaimedError(Exception):
    """The task is already claimed by someone else."""


def claim_task(session: Session, runtime: Runtime, task_id: str, user: str) -> OpenUserTask:
    """Assign an open task to `user`; refused if another user holds it."""
    # One statement claims and reads the row; only a refusal reads again, to say why.
    task = session.scalar(_CLAIM, {"claimed_id": task_id, "user": user}, execution_options=_FRESH)
    if task is None:
        holder = session.get(OpenUserTask, task_id, populate_existing=True)
        if holder is None:
            raise TaskNotOpenError(f"task {task_id} is no longer open")
        raise TaskClaimedError(f"task {task_id} is already claimed by {holder.assignee}")
    _audit(session, runtime, task, AuditKind.TASK_CLAIMED, user)
    return task


_CLAIM = (
    update(OpenUserTask)
    .where(
        OpenUserTask.task_id == bindparam("claimed_id"),
        OpenUserTask.assignee.is_(None) | (OpenUserTask.assignee == bindparam("user")),
    )
    .values(assignee=bindparam("user"))
    .returning(OpenUserTask)
    .execution_options(synchronize_session=False)  # the returned row itself refreshes the task
)
_FRESH = {"populate_existing": True}


def release_task(session: Session, runtime: Runtime, task_id: str, user: str) -> OpenUserTask:
    """Return a task claimed by `user` to its pool."""
    task = session.get(OpenUserTask, task_id, populate_existing=True)
    if task is None:
        raise TaskNotOpenError(f"task {task_id} is no longer open")
    if task.assignee != user:
        raise TaskClaimedError(f"task {task_id} is claimed by {task.assignee or 'nobody'}")
    task.assignee = None
    _audit(session, runtime, task, AuditKind.TASK_RELEASED, user)
    return task


def _audit(
    session: Session, runtime: Runtime, task: OpenUserTask, kind: AuditKind, user: str
) -> None:
    audit.record(
        session,
        kind,
        runtime.clock.now(),
        user,
        instance_id=task.instance_id,
        task_id=task.task_id,
        element_id=task.element_id,
    )
