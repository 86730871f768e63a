"""Signing in: OWASP's scrypt cost, one hash on every path, lockout per account, revocation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine import passwords
from engine.accounts import (
    AccountError,
    create_user,
    deactivate_user,
    end_sessions,
    set_password,
)
from engine.clock import VirtualClock
from engine.models import User
from engine.passwords import ScryptCost, check_password, current_cost, hash_password
from engine.settings import Settings
from engine.signin import LockoutPolicy, Refusal, sign_in
from tests.conftest import TEST_SCRYPT_N

PASSWORD = "long-password"
POLICY = LockoutPolicy(max_failures=5, duration=timedelta(minutes=15))


@pytest.fixture
def anna(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        user = create_user(
            session,
            login="anna",
            password=PASSWORD,
            full_name="Анна",
            roles=["curator"],
            municipality="example",
        )
        return user.id


def attempt(
    sessions: sessionmaker[Session], clock: VirtualClock, password: str, login: str = "anna"
) -> tuple[Refusal | None, datetime | None]:
    """One sign-in in its own transaction, committed whatever the outcome (as the web does)."""
    with sessions.begin() as session:
        result = sign_in(session, login, password, clock.now(), POLICY)
        return result.refusal, result.locked_until


def test_new_hashes_use_owasps_scrypt_parameters_by_default() -> None:
    assert Settings().password_scrypt_n == 2**17
    assert (ScryptCost().n, ScryptCost().r, ScryptCost().p) == (2**17, 8, 1)
    stored = hash_password(PASSWORD, ScryptCost())  # 128 MiB: needs maxmem above OpenSSL's 32
    assert stored.startswith("scrypt$131072$8$1$")
    assert check_password(stored, PASSWORD) and not check_password(stored, "wrong-password")
    assert current_cost().n == int(TEST_SCRYPT_N)  # the suite's own lower cost


def test_the_cost_setting_must_be_a_power_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLAMENT_PASSWORD_SCRYPT_N", "1000")
    with pytest.raises(ValueError, match="power of two"):
        Settings.from_env()


def test_an_older_hash_still_verifies_and_is_rehashed_at_the_next_sign_in(
    sessions: sessionmaker[Session], clock: VirtualClock, anna: int
) -> None:
    older = hash_password(PASSWORD, ScryptCost(n=2**11))
    with sessions.begin() as session:
        session.get_one(User, anna).password_hash = older
    assert attempt(sessions, clock, PASSWORD) == (None, None)
    with sessions() as session:
        stored = session.get_one(User, anna).password_hash
    assert stored != older and stored.startswith(f"scrypt${TEST_SCRYPT_N}$8$1$")
    assert check_password(stored, PASSWORD)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    sessions: sessionmaker[Session], clock: VirtualClock, anna: int
) -> None:
    for _ in range(4):
        assert attempt(sessions, clock, "wrong-password") == (Refusal.WRONG, None)
    refusal, until = attempt(sessions, clock, "wrong-password")
    assert refusal is Refusal.LOCKED and until == clock.now() + timedelta(minutes=15)
    assert attempt(sessions, clock, PASSWORD)[0] is Refusal.LOCKED
    clock.advance(timedelta(minutes=14))
    assert attempt(sessions, clock, PASSWORD)[0] is Refusal.LOCKED  # not extended, not over
    clock.advance(timedelta(minutes=1))
    assert attempt(sessions, clock, PASSWORD) == (None, None)
    with sessions() as session:
        user = session.get_one(User, anna)
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_success_resets_the_count_of_wrong_passwords(
    sessions: sessionmaker[Session], clock: VirtualClock, anna: int
) -> None:
    for _ in range(4):
        attempt(sessions, clock, "wrong-password")
    assert attempt(sessions, clock, PASSWORD) == (None, None)
    for _ in range(4):
        assert attempt(sessions, clock, "wrong-password") == (Refusal.WRONG, None)


@pytest.fixture
def hash_calls(monkeypatch: pytest.MonkeyPatch) -> list[ScryptCost]:
    """The cost of every scrypt computation from now on (the real function still runs)."""
    calls: list[ScryptCost] = []
    real: Callable[[str, bytes, ScryptCost], bytes] = passwords.scrypt

    def counting(password: str, salt: bytes, cost: ScryptCost) -> bytes:
        calls.append(cost)
        return real(password, salt, cost)

    monkeypatch.setattr(passwords, "scrypt", counting)
    return calls


def test_every_refusal_costs_one_hash_at_the_same_cost(
    sessions: sessionmaker[Session], clock: VirtualClock, anna: int, hash_calls: list[ScryptCost]
) -> None:
    with sessions.begin() as session:
        gone = create_user(
            session,
            login="gone",
            password=PASSWORD,
            full_name="Ушедший",
            roles=["curator"],
            municipality="example",
        )
        deactivate_user(session, gone)
    outcomes = {}
    for name, login, password in (
        ("unknown login", "nobody", PASSWORD),
        ("wrong password", "anna", "wrong-password"),
        ("closed account", "gone", PASSWORD),
        ("right password", "anna", PASSWORD),
    ):
        hash_calls.clear()
        outcomes[name] = (attempt(sessions, clock, password, login)[0], list(hash_calls))
    cost = [current_cost()]
    assert outcomes == {
        "unknown login": (Refusal.WRONG, cost),
        "wrong password": (Refusal.WRONG, cost),
        "closed account": (Refusal.WRONG, cost),
        "right password": (None, cost),
    }
    for _ in range(5):
        attempt(sessions, clock, "wrong-password")
    hash_calls.clear()
    assert attempt(sessions, clock, PASSWORD)[0] is Refusal.LOCKED and hash_calls == cost


def test_password_change_deactivation_and_logout_end_every_session(
    sessions: sessionmaker[Session], anna: int
) -> None:
    with sessions.begin() as session:
        user = session.get_one(User, anna)
        assert user.session_epoch == 0
        end_sessions(user)
        set_password(session, user, "another-long-password")
        with pytest.raises(AccountError):
            set_password(session, user, "short")
        deactivate_user(session, user)
    with sessions() as session:
        user = session.get_one(User, anna)
        assert user.session_epoch == 3 and not user.is_active
        assert check_password(user.password_hash, "another-long-password")
