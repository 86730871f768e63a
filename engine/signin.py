"""Signing in with a per-account lockout: wrong passwords lock the account for a while."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.accounts import find_user
from engine.models import User
from engine.passwords import check_dummy, check_password, hash_password, needs_rehash


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_failures` wrong passwords in a row the account is locked for `duration`."""

    max_failures: int = 5
    duration: timedelta = timedelta(minutes=15)


class Refusal(enum.StrEnum):
    """Why a sign-in was refused."""

    WRONG = "wrong"  # unknown login, wrong password or a closed account: never which
    LOCKED = "locked"


@dataclass(frozen=True)
class SignIn:
    """The signed-in user, or the refusal (with the end of a lockout)."""

    user: User | None
    refusal: Refusal | None = None
    locked_until: datetime | None = None


def sign_in(
    session: Session, login: str, password: str, now: datetime, policy: LockoutPolicy
) -> SignIn:
    """Check a password; every path costs one hash, so timing tells nothing about the login.

    A refusal changes the account (failure count, lockout): the caller commits it even though
    it answers with an error.
    """
    user = find_user(session, login)
    if user is None:
        check_dummy(password)
        return SignIn(None, Refusal.WRONG)
    matches = check_password(user.password_hash, password)
    if not user.is_active:
        return SignIn(None, Refusal.WRONG)
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(None, Refusal.LOCKED, user.locked_until)  # even the right password
    if not matches:
        return _failed(session, user, now, policy)
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):  # made with older parameters: upgrade it now
        user.password_hash = hash_password(password)
    session.flush()
    return SignIn(user)


def _failed(session: Session, user: User, now: datetime, policy: LockoutPolicy) -> SignIn:
    # One UPDATE counts the failure, so parallel guesses in several workers all count.
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if failures < policy.max_failures:
        return SignIn(None, Refusal.WRONG)
    user.failed_logins = 0
    user.locked_until = now + policy.duration
    session.flush()
    return SignIn(None, Refusal.LOCKED, user.locked_until)
