"""Staff accounts: creating users, checking passwords, naming substitutes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine.models import Substitution, User

ROLES = ("curator", "executor", "approver", "head", "administrator")
# scrypt's cost: about 30 ms a check, so a stolen table resists guessing yet tests stay fast.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """An account or substitution refused, with messages per field (in Russian)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"account refused: {errors}")
        self.errors = errors


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form scrypt$n$r$p$salt$hash."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    """Whether `password` matches a stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)


def create_user(
    session: Session,
    *,
    login: str,
    password: str,
    full_name: str,
    roles: list[str],
    municipality: str,
    department: str | None = None,
) -> User:
    """Add a user; a taken login, an unknown role or a short password is refused."""
    errors: dict[str, list[str]] = {}
    if not login.strip():
        errors["login"] = ["Обязательное поле."]
    elif session.scalar(select(User.id).where(User.login == login)) is not None:
        errors["login"] = ["Такой логин уже есть."]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Не короче {MIN_PASSWORD_LENGTH} символов."]
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        errors["roles"] = [f"Роли: {', '.join(ROLES)}; неизвестные: {', '.join(unknown) or '—'}."]
    if "executor" in roles and not department:
        errors["department"] = ["Исполнителю нужно подразделение."]
    if errors:
        raise AccountError(errors)
    user = User(
        login=login,
        full_name=full_name,
        password_hash=hash_password(password),
        roles=list(roles),
        department=department,
        municipality=municipality,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None."""
    user = session.scalar(select(User).where(User.login == login))
    if user is None or not user.is_active or not check_password(user.password_hash, password):
        return None
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """An active user by id (a deactivated account logs out)."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def municipality_users(session: Session, municipality: str) -> list[User]:
    """Users of one municipality, by name."""
    query = select(User).where(User.municipality == municipality).order_by(User.full_name)
    return list(session.scalars(query))


def name_substitute(
    session: Session,
    absent: User,
    substitute: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> Substitution:
    """Let `substitute` see and complete `absent`'s tasks from `starts_at` to `ends_at`."""
    errors: dict[str, list[str]] = {}
    if absent.id == substitute.id:
        errors["substitute"] = ["Нельзя замещать самого себя."]
    if absent.municipality != substitute.municipality:
        errors["substitute"] = ["Заместитель должен быть из того же муниципалитета."]
    if ends_at <= starts_at:
        errors["ends_at"] = ["Конец периода должен быть позже начала."]
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
    return substitution


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


def substitutions_of(session: Session, municipality: str) -> list[tuple[Substitution, User, User]]:
    """Every substitution in a municipality with its absent user and substitute, newest first."""
    absent, substitute = aliased(User), aliased(User)
    query = (
        select(Substitution, absent, substitute)
        .join(absent, absent.id == Substitution.absent_user_id)
        .join(substitute, substitute.id == Substitution.substitute_user_id)
        .where(absent.municipality == municipality)
        .order_by(Substitution.starts_at.desc())
    )
    return [(item, gone, standing) for item, gone, standing in session.execute(query)]
