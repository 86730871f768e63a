"""Giving a task to a named colleague, or back to the common list, by those who oversee the work.

A curator, head or administrator (roles that see every task of the municipality) may assign an
open task to a colleague who may do that step, or release a task someone took and cannot finish
(absent, on leave). Each change is audited with who made it and for whom.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import ADMINISTRATOR, Viewer, may_work_on, viewer_for
from engine.models import OpenUserTask, User
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.tasks import TaskNotOpenError


class AssignmentRefused(Exception):
    """An assignment the rules do not allow; the reason is in Russian, for the person."""


def colleagues_for(
    session: Session, runtime: Runtime, task: OpenUserTask, by: Viewer
) -> list[User]:
    """Active colleagues who may do this step, by name (administrators aside)."""
    now = runtime.clock.now()
    users = session.scalars(
        select(User)
        .where(User.municipality == task.municipality, User.is_active.is_(True))
        .order_by(User.full_name)
    )
    return [
        user
        for user in users
        if set(user.roles) - {ADMINISTRATOR}
        and may_work_on(viewer_for(session, user, now, by.registry), task)
    ]


def assign_task(
    session: Session, runtime: Runtime, task_id: str, assignee: str | None, by: Viewer
) -> OpenUserTask:
    """Give the task to `assignee` (a login), or back to the common list when None."""
    task = session.get(OpenUserTask, task_id, populate_existing=True)
    if task is None:
        raise TaskNotOpenError(f"task {task_id} is no longer open")
    if not by.oversees or by.municipality != task.municipality:
        raise AssignmentRefused("Назначать задачи могут куратор, руководитель и администратор.")
    if assignee is not None:
        allowed = {user.login for user in colleagues_for(session, runtime, task, by)}
        if assignee not in allowed:
            raise AssignmentRefused(
                "Этот сотрудник не может выполнять этот шаг: он не работает в его дорожке "
                "или подразделении."
            )
    previous, task.assignee = task.assignee, assignee
    audit.record(
        session,
        AuditKind.TASK_ASSIGNED if assignee else AuditKind.TASK_RELEASED,
        runtime.clock.now(),
        by.login,
        instance_id=task.instance_id,
        task_id=task.task_id,
        element_id=task.element_id,
        assignee=assignee,
        previous=previous,
    )
    return task
