"""`reglament user add / password / deactivate`: staff accounts without the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.accounts import authenticate
from engine.cli import main
from engine.db import make_engine, make_session_factory
from engine.models import User

ADD = ["user", "add", "chief", "--name", "Ирина Главная", "--role", "head"]


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    found = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", found)
    return found


def _user(url: str) -> User | None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = session.scalars(select(User).where(User.login == "chief")).one_or_none()
    engine.dispose()
    return found


def test_add_a_user_with_a_prompted_password_then_change_it_and_close_the_account(
    url: str,
) -> None:
    runner = CliRunner()
    added = runner.invoke(
        main, [*ADD, "--municipality", "perm"], input="first-long-password\nfirst-long-password\n"
    )
    assert added.exit_code == 0 and "user chief added (head, perm)" in added.output
    user = _user(url)
    assert user is not None and user.roles == ["head"] and user.session_epoch == 0
    changed = runner.invoke(
        main, ["user", "password", "chief", "--password-stdin"], input="second-long-password\n"
    )
    assert changed.exit_code == 0 and "sessions ended" in changed.output
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert authenticate(session, "chief", "second-long-password") is not None
        assert authenticate(session, "chief", "first-long-password") is None
    engine.dispose()
    assert not _user(url).must_change_password  # type: ignore[union-attr]
    temporary = ["user", "password", "chief", "--temporary", "--password-stdin"]
    handed = runner.invoke(main, temporary, input="third-long-password\n")
    assert handed.exit_code == 0 and "asked at the next sign-in" in handed.output
    assert _user(url).must_change_password  # type: ignore[union-attr]
    own = runner.invoke(
        main, ["user", "password", "chief", "--password-stdin"], input="fourth-long-password\n"
    )
    assert own.exit_code == 0 and not _user(url).must_change_password  # type: ignore[union-attr]
    assert runner.invoke(main, ["user", "deactivate", "chief"]).exit_code == 0
    closed = _user(url)
    assert closed is not None and not closed.is_active and closed.session_epoch == 4


def test_bad_accounts_are_refused_with_the_reason(url: str) -> None:
    runner = CliRunner()
    short = runner.invoke(main, [*ADD, "--municipality", "perm", "--password-stdin"], input="x\n")
    assert short.exit_code == 1 and "password: Не короче 8 символов." in short.output
    assert _user(url) is None
    unknown = runner.invoke(main, ["user", "deactivate", "nobody"])
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    wizard = runner.invoke(main, ["user", "add", "x", "--name", "x", "--role", "wizard"])
    assert wizard.exit_code == 2
