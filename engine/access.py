"""Who may see and complete which task and case: the rules the web UI asks before acting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import Session

from engine.models import Message, OpenUserTask, ProcessInstance, User
from engine.roles import ADMINISTRATOR, DEFAULT_REGISTRY, RoleRegistry
from engine.substitutions import substituted_users

Scope = Literal["mine", "department", "all"]
SCOPES: tuple[Scope, ...] = ("mine", "department", "all")
# A substitute takes over the absent colleague's task work, never administrative rights.
NEVER_INHERITED = frozenset({ADMINISTRATOR})


class NotFound(LookupError):
    """No such task or case for this user (another municipality's is not found either)."""


class AccessDenied(PermissionError):
    """The user sees the municipality but may not open or complete this task."""


@dataclass(frozen=True)
class Absence:
    """An absent colleague the viewer stands in for now: whose rights they borrow."""

    login: str
    full_name: str
    roles: frozenset[str]
    department: str | None


@dataclass(frozen=True)
class Viewer:
    """A user as access rules see them: own roles and departments plus those they substitute.

    `roles` decide task work (own roles and the absent colleagues' roles but administrator);
    `own_roles` decide administration, such as naming substitutes; `registry` is the
    municipality's roles (municipality.yaml): which lanes each acts in and what it sees.
    """

    user_id: int
    login: str
    full_name: str
    municipality: str
    roles: frozenset[str]
    departments: frozenset[str]
    acts_for: frozenset[str]
    own_roles: frozenset[str] = frozenset()
    registry: RoleRegistry = DEFAULT_REGISTRY
    own_departments: frozenset[str] = frozenset()
    stands_in: tuple[Absence, ...] = ()

    @property
    def oversees(self) -> bool:
        """Whether this user may list every task of the municipality."""
        return bool(self.roles & self.registry.seeing("all"))


def viewer_for(
    session: Session,
    user: User,
    now: datetime,
    registry: RoleRegistry = DEFAULT_REGISTRY,
    absent: list[User] | None = None,
) -> Viewer:
    """The effective rights of `user` at `now`, including current substitutions."""
    # `absent`: whom the user stands in for at `now`, when the caller has read it already.
    if absent is None:
        absent = substituted_users(session, user, now)
    people = [user, *absent]
    own = frozenset(user.roles)
    inherited = frozenset(role for person in absent for role in person.roles) - NEVER_INHERITED
    return Viewer(
        user_id=user.id,
        login=user.login,
        full_name=user.full_name,
        municipality=user.municipality,
        roles=own | inherited,
        departments=frozenset(person.department for person in people if person.department),
        acts_for=frozenset(person.login for person in people),
        own_roles=own,
        registry=registry,
        own_departments=frozenset({user.department} if user.department else ()),
        stands_in=tuple(
            Absence(person.login, person.full_name, frozenset(person.roles), person.department)
            for person in absent
        ),
    )


def standing_in_for(viewer: Viewer, task: OpenUserTask) -> str | None:
    """The absent colleague's name when the viewer has this task only as their substitute."""
    if not viewer.stands_in or task.assignee == viewer.login:
        return None
    for absence in viewer.stands_in:
        if task.assignee == absence.login:
            return absence.full_name
    own = replace(viewer, roles=viewer.own_roles, departments=viewer.own_departments)
    if may_work_on(own, task):
        return None
    for absence in viewer.stands_in:
        departments = frozenset({absence.department} if absence.department else ())
        theirs = replace(viewer, roles=absence.roles - NEVER_INHERITED, departments=departments)
        if may_work_on(theirs, task):
            return absence.full_name
    return None


def may_work_on(viewer: Viewer, task: OpenUserTask) -> bool:
    """Whether the task is in the viewer's lanes (and department, for department-bound roles)."""
    if viewer.municipality != task.municipality:
        return False
    if ADMINISTRATOR in viewer.roles:
        return True
    role = viewer.registry.role_of_lane(task.role)
    if role not in viewer.roles:
        return False
    if viewer.registry.sees(role) != "department" or task.department is None:
        return True
    return task.department in viewer.departments


def can_complete(viewer: Viewer, task: OpenUserTask) -> bool:
    """Whether the viewer may complete (or claim) the task now."""
    free = task.assignee is None or task.assignee in viewer.acts_for
    return free and may_work_on(viewer, task)


def can_see(viewer: Viewer, task: OpenUserTask) -> bool:
    """Whether the viewer may open the task's page."""
    if viewer.municipality != task.municipality:
        return False
    return viewer.oversees or may_work_on(viewer, task) or task.assignee in viewer.acts_for


def work_filter(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form of `may_work_on` (municipality aside)."""
    if ADMINISTRATOR in viewer.roles:
        return true()
    registry = viewer.registry
    bound = viewer.roles & registry.seeing("department")
    department_lanes = registry.lanes_of(bound)
    other_lanes = registry.lanes_of(viewer.roles - bound)
    department_ok = or_(
        OpenUserTask.department.is_(None), OpenUserTask.department.in_(viewer.departments)
    )
    clauses = []
    if department_lanes:
        clauses.append(and_(OpenUserTask.role.in_(department_lanes), department_ok))
    if other_lanes:
        clauses.append(OpenUserTask.role.in_(other_lanes))
    return or_(*clauses) if clauses else false()


def scope_filter(viewer: Viewer, scope: Scope) -> ColumnElement[bool]:
    """Tasks of a task-list tab: mine (assigned or free in my lanes), my department's, all."""
    in_municipality = OpenUserTask.municipality == viewer.municipality
    if scope == "all" and viewer.oversees:
        return in_municipality
    if scope == "mine":
        mine = or_(
            OpenUserTask.assignee.in_(viewer.acts_for),
            and_(OpenUserTask.assignee.is_(None), work_filter(viewer)),
        )
        return and_(in_municipality, mine)
    return and_(in_municipality, work_filter(viewer))


def require_task(
    session: Session, viewer: Viewer, task_id: str, *, to_complete: bool = False
) -> OpenUserTask:
    """An open task the viewer may see (or complete); NotFound or AccessDenied otherwise."""
    task = session.get(OpenUserTask, task_id)
    if task is None or task.municipality != viewer.municipality:
        raise NotFound(task_id)
    allowed = can_complete(viewer, task) if to_complete else can_see(viewer, task)
    if not allowed:
        raise AccessDenied(task_id)
    return task


def require_instance(session: Session, viewer: Viewer, instance_id: int) -> ProcessInstance:
    """A case of the viewer's municipality; NotFound otherwise."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.municipality != viewer.municipality:
        raise NotFound(str(instance_id))
    return instance


def require_message(session: Session, viewer: Viewer, message_id: int) -> Message:
    """A message of the viewer's municipality; NotFound otherwise."""
    message = session.get(Message, message_id)
    if message is None or message.municipality != viewer.municipality:
        raise NotFound(str(message_id))
    return message


__all__ = [
    "SCOPES",
    "Absence",
    "AccessDenied",
    "NotFound",
    "Scope",
    "Viewer",
    "can_complete",
    "can_see",
    "may_work_on",
    "require_instance",
    "require_message",
    "require_task",
    "scope_filter",
    "standing_in_for",
    "viewer_for",
    "work_filter",
]
