"""Substitutes for absent colleagues (Palana, п. 9): naming, ending early, who stands in now."""

from __future__ import annotations

import enum
import functools
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Select, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from engine import audit
from engine.accounts import AccountError
from engine.models import Substitution, User
from engine.statuses import AuditKind

# Illness, leave, a business trip or study: a longer absence is a new decision, not a renewal.
MAX_PERIOD = timedelta(days=366)
MAX_REASON_LENGTH = 256


class SubstitutionNotFound(LookupError):
    """No such substitution in this municipality."""


class SubstitutionState(enum.StrEnum):
    """Where a substitution's period stands at a moment."""

    UPCOMING = "upcoming"
    ACTIVE = "active"
    OVER = "over"


def name_substitute(
    session: Session,
    absent: User,
    substitute: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    *,
    now: datetime,
    actor: str,
) -> Substitution:
    """Let `substitute` see and complete `absent`'s tasks from `starts_at` to `ends_at`."""
    errors = _people_errors(absent, substitute) | _period_errors(starts_at, ends_at, now)
    if len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [f"Не длиннее {MAX_REASON_LENGTH} символов."]
    if errors:
        raise AccountError(errors)
    substitution = Substitution(
        absent_user_id=absent.id,
        substitute_user_id=substitute.id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
    )
    session.add(substitution)
    session.flush()
    _audit(session, AuditKind.SUBSTITUTION_NAMED, substitution, absent, substitute, now, actor)
    return substitution


def _people_errors(absent: User, substitute: User) -> dict[str, list[str]]:
    if absent.id == substitute.id:
        return {"substitute": ["Нельзя замещать самого себя."]}
    if absent.municipality != substitute.municipality:
        return {"substitute": ["Заместитель должен быть из того же муниципалитета."]}
    if not substitute.is_active:
        return {"substitute": ["Учётная запись заместителя закрыта."]}
    return {}


def _period_errors(starts_at: datetime, ends_at: datetime, now: datetime) -> dict[str, list[str]]:
    if ends_at <= starts_at:
        return {"ends_at": ["Конец периода должен быть позже начала."]}
    if ends_at <= now:
        return {"ends_at": ["Период уже закончился."]}
    if ends_at - starts_at > MAX_PERIOD:
        return {"ends_at": [f"Период не длиннее {MAX_PERIOD.days} дней."]}
    if starts_at - now > MAX_PERIOD:
        return {"starts_at": [f"Начало не позже чем через {MAX_PERIOD.days} дней."]}
    return {}


def end_substitution(
    session: Session, substitution_id: int, municipality: str, now: datetime, actor: str
) -> Substitution:
    """End a substitution now (an upcoming one never starts); one already over is refused."""
    found = session.get(Substitution, substitution_id)
    absent = session.get(User, found.absent_user_id) if found else None
    if found is None or absent is None or absent.municipality != municipality:
        raise SubstitutionNotFound(str(substitution_id))
    if state_of(found, now) is SubstitutionState.OVER:
        raise AccountError({"substitution": ["Замещение уже закончилось."]})
    found.ends_at = max(now, found.starts_at)
    substitute = session.get_one(User, found.substitute_user_id)
    session.flush()
    _audit(session, AuditKind.SUBSTITUTION_ENDED, found, absent, substitute, now, actor)
    return found


def _audit(
    session: Session,
    kind: AuditKind,
    substitution: Substitution,
    absent: User,
    substitute: User,
    now: datetime,
    actor: str,
) -> None:
    audit.record(
        session,
        kind,
        now,
        actor,
        substitution=substitution.id,
        absent=absent.login,
        substitute=substitute.login,
        starts_at=substitution.starts_at.isoformat(),
        ends_at=substitution.ends_at.isoformat(),
    )


def state_of(substitution: Substitution, now: datetime) -> SubstitutionState:
    """Whether a substitution is upcoming, active or over at `now`."""
    if substitution.ends_at <= now:
        return SubstitutionState.OVER
    if substitution.starts_at > now:
        return SubstitutionState.UPCOMING
    return SubstitutionState.ACTIVE


def substituted_users(session: Session, substitute: User, now: datetime) -> list[User]:
    """The users whom `substitute` stands in for at `now`."""
    query = (
        select(User)
        .join(Substitution, Substitution.absent_user_id == User.id)
        .where(
            Substitution.substitute_user_id == substitute.id,
            Substitution.starts_at <= now,
            Substitution.ends_at > now,
        )
        .order_by(User.id)
    )
    return list(session.scalars(query))


def user_and_absent(
    session: Session, user_id: int, now: datetime
) -> tuple[User | None, list[User]]:
    """A user by id and those they stand in for at `now` (as `substituted_users`), in one query."""
    # Every signed-in request needs both: one round trip rather than two.
    user, absent = None, []
    for person, stands_in in session.execute(_user_and_absent(), {"user_id": user_id, "now": now}):
        if person.id == user_id:
            user = person
        if stands_in:
            absent.append(person)
    return user, absent


@functools.cache
def _user_and_absent() -> Select[User, bool]:
    """SQL: the user and whom they stand in for, each row flagged whether it is one of those."""
    user_id: BindParameter[int] = bindparam("user_id")
    now: BindParameter[datetime] = bindparam("now", type_=Substitution.starts_at.type)
    absent_ids = select(Substitution.absent_user_id).where(
        Substitution.substitute_user_id == user_id,
        Substitution.starts_at <= now,
        Substitution.ends_at > now,
    )
    is_absent = User.id.in_(absent_ids)
    return select(User, is_absent).where(or_(User.id == user_id, is_absent)).order_by(User.id)


def substitutions_of(session: Session, municipality: str) -> list[tuple[Substitution, User, User]]:
    """Every substitution in a municipality with its absent user and substitute, newest first."""
    absent, substitute = aliased(User), aliased(User)
    query = (
        select(Substitution, absent, substitute)
        .join(absent, absent.id == Substitution.absent_user_id)
        .join(substitute, substitute.id == Substitution.substitute_user_id)
        .where(absent.municipality == municipality)
        .order_by(Substitution.starts_at.desc(), Substitution.id.desc())
    )
    return [(item, gone, standing) for item, gone, standing in session.execute(query)]


def substitutions_with_state(
    session: Session, municipality: str, now: datetime
) -> list[tuple[Substitution, User, User, SubstitutionState]]:
    """`substitutions_of`, each with whether it is upcoming, active or over at `now`."""
    return [
        (item, absent, standing, state_of(item, now))
        for item, absent, standing in substitutions_of(session, municipality)
    ]
