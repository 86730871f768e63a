"""Staff accounts: creating users, checking passwords, ending their sessions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import User
from engine.passwords import check_dummy, check_password, hash_password
from engine.roles import DEFAULT_REGISTRY, RoleRegistry

# Today's roles, which every municipality has; municipality.yaml may add its own (engine.roles).
ROLES = DEFAULT_REGISTRY.ids
MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """An account or substitution refused, with messages per field (in Russian)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"account refused: {errors}")
        self.errors = errors


def create_user(
    session: Session,
    *,
    login: str,
    password: str,
    full_name: str,
    roles: list[str],
    municipality: str,
    department: str | None = None,
    email: str | None = None,
    password_hash: str | None = None,
    known_roles: RoleRegistry = DEFAULT_REGISTRY,
    known_departments: tuple[str, ...] = (),
) -> User:
    """Add a user; a taken login, an unknown role or a short password is refused.

    `known_roles` and `known_departments` are the municipality's (its municipality.yaml; no
    departments listed: any id); `password_hash`, when given,
    is `hash_password(password)` made already (the demo's accounts share one: at OWASP's cost
    each hash takes most of a second).
    """
    errors: dict[str, list[str]] = {}
    if not login.strip():
        errors["login"] = ["Обязательное поле."]
    elif session.scalar(select(User.id).where(User.login == login)) is not None:
        errors["login"] = ["Такой логин уже есть."]
    errors.update(password_errors(password))
    errors.update(role_errors(roles, department, known_roles))
    if department and known_departments and department not in known_departments:
        errors["department"] = [
            f"Нет такого подразделения: {department}; есть: {', '.join(known_departments)}."
        ]
    errors.update(email_errors(email))
    if errors:
        raise AccountError(errors)
    user = User(
        login=login,
        full_name=full_name,
        password_hash=password_hash or hash_password(password),
        roles=list(roles),
        department=department,
        municipality=municipality,
        email=email.strip() if email else None,
        is_active=True,
        must_change_password=False,
        session_epoch=0,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def email_errors(email: str | None) -> dict[str, list[str]]:
    """A mail address, when given, has one «@» with text on both sides and no spaces."""
    if not email or not email.strip():
        return {}
    local, at, domain = email.strip().partition("@")
    if not at or not local or "." not in domain or "@" in domain or " " in email.strip():
        return {"email": ["Адрес почты записан неверно (пример: ivanova@admin.ru)."]}
    return {}


def role_errors(
    roles: list[str], department: str | None, known: RoleRegistry
) -> dict[str, list[str]]:
    """Roles the municipality knows, and a department where a role needs one."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(roles) - set(known.ids))
    if not roles or unknown:
        listed = ", ".join(f"{role} ({known.name(role)})" for role in known.ids)
        errors["roles"] = [f"Роли: {listed}; неизвестные: {', '.join(unknown) or '—'}."]
    bound = [role for role in roles if role in known.ids and known.sees(role) == "department"]
    if bound and not department:
        names = ", ".join(f"«{known.name(role)}»" for role in bound)
        errors["department"] = [f"Роли {names} нужно подразделение."]
    return errors


def password_errors(password: str) -> dict[str, list[str]]:
    """A password of at least the minimum length (the field error, otherwise)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return {"password": [f"Не короче {MIN_PASSWORD_LENGTH} символов."]}
    return {}


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None (no lockout: see engine.signin)."""
    user = find_user(session, login)
    if user is None:
        check_dummy(password)  # an unknown login costs what a known one does
        return None
    if not check_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def find_user(session: Session, login: str) -> User | None:
    """A user by login, active or not."""
    return session.scalar(select(User).where(User.login == login))


def get_user(session: Session, user_id: int) -> User | None:
    """An active user by id (a deactivated account logs out)."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def end_sessions(user: User) -> None:
    """Make every session signed in so far invalid (logout, password change, deactivation)."""
    user.session_epoch += 1


def set_password(session: Session, user: User, password: str) -> None:
    """Give a user a new password; a short one is refused and every session ends."""
    errors = password_errors(password)
    if errors:
        raise AccountError(errors)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    session.flush()


def deactivate_user(session: Session, user: User) -> None:
    """Close an account: it cannot sign in and its open sessions end."""
    user.is_active = False
    end_sessions(user)
    session.flush()


def municipality_users(session: Session, municipality: str) -> list[User]:
    """Users of one municipality, by name."""
    query = select(User).where(User.municipality == municipality).order_by(User.full_name)
    return list(session.scalars(query))


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "AccountError",
    "authenticate",
    "check_password",
    "create_user",
    "deactivate_user",
    "end_sessions",
    "find_user",
    "get_user",
    "hash_password",
    "municipality_users",
    "set_password",
]
