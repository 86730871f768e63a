"""The production start: gunicorn, two workers, PostgreSQL, no demo data, the worker beside it."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import make_engine, make_session_factory
from engine.demo_accounts import DEMO_PASSWORD
from engine.models import User
from tests.conftest import EXAMPLE_BPMN, POSTGRES_URL, ROOT, reset_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="REGLAMENT_TEST_POSTGRES_URL not set"),
]
BIN = Path(sys.executable).parent
PASSWORD = "a-long-production-password"
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REGLAMENT_")}
    env["REGLAMENT_PASSWORD_SCRYPT_N"] = os.environ["REGLAMENT_PASSWORD_SCRYPT_N"]  # test cost
    env["REGLAMENT_DATABASE_URL"] = str(POSTGRES_URL)
    return {**env, **extra}


def _reglament(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "reglament"), *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    """`reglament init-db`, `deploy`, `user add`, then gunicorn with two workers."""
    engine = make_engine(str(POSTGRES_URL))
    reset_postgres(engine)
    engine.dispose()
    env = _environment(REGLAMENT_SECRET_KEY=secrets.token_hex(32))
    _reglament(env, "init-db")
    _reglament(env, "deploy", str(EXAMPLE_BPMN))
    add = ("user", "add", "chief", "--name", "Ирина Главная", "--role", "curator")
    _reglament(env, *add, "--municipality", "example", "--password-stdin", stdin=PASSWORD)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "web.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


def _browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _sign_in(opener: urllib.request.OpenerDirector, base: str, login: str, password: str) -> str:
    """Post the sign-in form with its CSRF token; the page it ends on (or raises HTTPError)."""
    with opener.open(f"{base}/login", timeout=10) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
    assert token is not None
    form = {"login": login, "password": password, "csrf_token": token.group(1)}
    data = urllib.parse.urlencode(form).encode()
    with opener.open(f"{base}/login", data=data, timeout=10) as landed:
        return str(landed.read().decode())


def test_gunicorn_serves_staff_from_postgresql_and_seeds_nothing(gunicorn: str) -> None:
    opener = _browser()
    assert "Ирина Главная" in _sign_in(opener, gunicorn, "chief", PASSWORD)
    for _ in range(10):  # whichever worker answers accepts the session
        with opener.open(f"{gunicorn}/messages/", timeout=10) as page:
            assert page.status == 200 and "Ирина Главная" in page.read().decode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        _sign_in(_browser(), gunicorn, "example.curator", DEMO_PASSWORD)
    assert refused.value.code == 401
    engine = make_engine(str(POSTGRES_URL))
    with make_session_factory(engine)() as session:
        assert list(session.scalars(select(User.login))) == ["chief"]
    engine.dispose()
    assert "tick" in _reglament(_environment(), "worker", "--once")  # the worker beside it


def test_gunicorn_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{_free_port()}", "web.wsgi:app"],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "REGLAMENT_SECRET_KEY is not set" in done.stderr
