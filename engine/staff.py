"""The administrator's work on accounts: create, edit, reset a password, close, reopen; audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts import (
    AccountError,
    create_user,
    email_errors,
    end_sessions,
    password_errors,
    role_errors,
    set_password,
)
from engine.models import AuditEvent, User
from engine.passwords import check_password
from engine.roles import ADMINISTRATOR, RoleRegistry
from engine.statuses import AuditKind
from engine.violations import ENGINE_ACTOR_NAMES

ACCOUNT_KINDS = (
    AuditKind.USER_CREATED,
    AuditKind.USER_UPDATED,
    AuditKind.USER_PASSWORD_RESET,
    AuditKind.USER_DEACTIVATED,
    AuditKind.USER_REACTIVATED,
)
# The account's page shows its latest changes; older ones stay in the audit table.
HISTORY_SHOWN = 20
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_NAME_LENGTH = 256
MAX_DEPARTMENT_LENGTH = 128
MAX_EMAIL_LENGTH = 320  # the column's width (RFC 5321's limit)


class UserNotFound(LookupError):
    """No such account in this municipality (another municipality's is not found either)."""


@dataclass(frozen=True)
class AccountFields:
    """What the administrator's form says about an account."""

    login: str
    full_name: str
    roles: list[str]
    department: str | None
    email: str | None


@dataclass(frozen=True)
class Staffing:
    """The municipality's roles and department ids an account must choose from."""

    municipality: str
    roles: RoleRegistry
    departments: tuple[str, ...]


def account_of(session: Session, user_id: int, municipality: str) -> User:
    """An account of the municipality, active or closed; UserNotFound otherwise."""
    user = session.get(User, user_id)
    if user is None or user.municipality != municipality:
        raise UserNotFound(str(user_id))
    return user


def add_account(
    session: Session,
    fields: AccountFields,
    password: str,
    staffing: Staffing,
    *,
    now: datetime,
    actor: str,
) -> User:
    """A new account whose owner must choose their own password at first sign-in."""
    errors = _field_errors(session, fields, staffing, None)
    if errors:
        errors.update(password_errors(password))
        raise AccountError(errors)
    user = create_user(
        session,
        login=fields.login,
        password=password,
        full_name=fields.full_name,
        roles=fields.roles,
        municipality=staffing.municipality,
        department=fields.department,
        email=fields.email,
        known_roles=staffing.roles,
        known_departments=staffing.departments,
    )
    user.must_change_password = True
    audit.record(session, AuditKind.USER_CREATED, now, actor, user=user.login, **_facts(user))
    return user


def edit_account(
    session: Session,
    user: User,
    fields: AccountFields,
    staffing: Staffing,
    *,
    now: datetime,
    actor: str,
) -> dict[str, Any]:
    """Change an account's name, roles, department, mail; returns what changed.

    The login stays: the history, claimed tasks and substitutions record it.
    """
    errors = _field_errors(session, fields, staffing, user)
    if user.login == actor and ADMINISTRATOR in user.roles and ADMINISTRATOR not in fields.roles:
        errors.setdefault("roles", []).append("Нельзя снять роль администратора с самого себя.")
    if errors:
        raise AccountError(errors)
    before = _facts(user)
    user.full_name = fields.full_name
    user.roles = list(fields.roles)
    user.department = fields.department or None
    user.email = fields.email.strip() if fields.email else None
    changed = {key: value for key, value in _facts(user).items() if before[key] != value}
    if changed:
        session.flush()
        audit.record(session, AuditKind.USER_UPDATED, now, actor, user=user.login, **changed)
    return changed


def reset_password(
    session: Session, user: User, temporary: str, *, now: datetime, actor: str
) -> None:
    """A temporary password: the owner's sessions end and the next sign-in must change it."""
    set_password(session, user, temporary)
    user.must_change_password = True
    audit.record(session, AuditKind.USER_PASSWORD_RESET, now, actor, user=user.login)


def change_own_password(session: Session, user: User, current: str | None, new: str) -> None:
    """The owner's new password (`current` checked unless the sign-in just asked for it)."""
    errors: dict[str, list[str]] = {}
    if current is not None and not check_password(user.password_hash, current):
        errors["current"] = ["Неверный текущий пароль."]
    errors.update(password_errors(new))
    if not errors and check_password(user.password_hash, new):
        errors["password"] = ["Новый пароль должен отличаться от прежнего."]
    if errors:
        raise AccountError(errors)
    set_password(session, user, new)
    user.must_change_password = False


def close_account(session: Session, user: User, *, now: datetime, actor: str) -> None:
    """Close an account (it cannot sign in, its sessions end); not one's own."""
    if user.login == actor:
        raise AccountError({"account": ["Нельзя закрыть собственную учётную запись."]})
    user.is_active = False
    end_sessions(user)
    session.flush()
    audit.record(session, AuditKind.USER_DEACTIVATED, now, actor, user=user.login)


def reopen_account(session: Session, user: User, *, now: datetime, actor: str) -> None:
    """Open a closed account again."""
    user.is_active = True
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit.record(session, AuditKind.USER_REACTIVATED, now, actor, user=user.login)


def account_history(session: Session, user: User) -> list[AuditEvent]:
    """The latest audited changes of one account, newest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.kind.in_(ACCOUNT_KINDS), AuditEvent.instance_id.is_(None))
        .order_by(AuditEvent.id.desc())
    )
    mine = (event for event in session.scalars(query) if event.data.get("user") == user.login)
    return list(islice(mine, HISTORY_SHOWN))


def display_names(session: Session, municipality: str) -> dict[str, str]:
    """Login → the person's full name, and the engine's own actors as staff read them."""
    query = select(User.login, User.full_name).where(User.municipality == municipality)
    return {**ENGINE_ACTOR_NAMES, **{login: name for login, name in session.execute(query)}}


def _field_errors(
    session: Session, fields: AccountFields, staffing: Staffing, user: User | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if user is None and not LOGIN_PATTERN.fullmatch(fields.login):
        errors["login"] = [
            "Логин: от 1 до 64 символов — строчные латинские буквы, цифры, точка, «_», «-»."
        ]
    elif user is None and _login_taken(session, fields.login):
        errors["login"] = ["Такой логин уже есть."]
    if not fields.full_name.strip():
        errors["full_name"] = ["Обязательное поле."]
    elif len(fields.full_name) > MAX_NAME_LENGTH:
        errors["full_name"] = [f"Не длиннее {MAX_NAME_LENGTH} символов."]
    errors.update(role_errors(fields.roles, fields.department, staffing.roles))
    if "roles" in errors:  # the form lists the roles by name: say which choice is wrong
        unknown = sorted(set(fields.roles) - set(staffing.roles.ids))
        errors["roles"] = (
            [f"Таких ролей в муниципалитете нет: {', '.join(unknown)}."]
            if unknown
            else ["Выберите хотя бы одну роль."]
        )
    # No departments in municipality.yaml: any id, as `reglament user add` takes it.
    listed = staffing.departments
    if fields.department and (
        fields.department not in listed
        if listed
        else len(fields.department) > MAX_DEPARTMENT_LENGTH
    ):
        errors["department"] = ["Выберите подразделение из списка."]
    errors.update(email_errors(fields.email))
    if fields.email and len(fields.email.strip()) > MAX_EMAIL_LENGTH:
        errors["email"] = [f"Не длиннее {MAX_EMAIL_LENGTH} символов."]
    return errors


def _login_taken(session: Session, login: str) -> bool:
    return session.scalar(select(User.id).where(User.login == login)) is not None


def _facts(user: User) -> dict[str, Any]:
    return {
        "full_name": user.full_name,
        "roles": list(user.roles),
        "department": user.department,
        "email": user.email,
    }
