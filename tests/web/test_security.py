"""Secrets, headers, proxies, odd input: what every request and response goes through."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.runtime import Runtime
from tests.conftest import ROOT
from tests.web.conftest import SECRET_KEY, login, on_both_databases, send_message
from web import create_app
from web.config import WebSettings
from web.security import SecretKeyError


@pytest.mark.parametrize(
    ("secret", "problem"),
    [("", "is not set"), ("dev", "known"), ("x" * 31, "shorter than 32")],
)
def test_the_app_refuses_to_start_with_a_missing_or_guessable_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str, problem: str
) -> None:
    monkeypatch.setenv("REGLAMENT_SECRET_KEY", secret)
    monkeypatch.delenv("REGLAMENT_DEMO", raising=False)
    with pytest.raises(SecretKeyError, match=problem) as refused:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert "REGLAMENT_DEMO=1" in str(refused.value)


def test_only_the_demo_starts_without_a_secret_and_gets_a_random_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGLAMENT_SECRET_KEY", raising=False)
    monkeypatch.setenv("REGLAMENT_DEMO", "1")
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    first, second = create_app(database), create_app(database)
    assert first.config["DEMO"] and len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_a_cookie_forged_with_the_old_default_key_opens_nothing(app: Flask) -> None:
    forger = Flask("forger")
    forger.secret_key = "dev"
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    client = app.test_client()
    client.set_cookie("session", serializer.dumps({"user_id": 1, "epoch": 0}))
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_python_m_web_refuses_to_seed_without_demo_mode(tmp_path: Path) -> None:
    target = tmp_path / "production.sqlite3"
    env = {"PATH": "/usr/bin:/bin", "REGLAMENT_DATABASE_URL": f"sqlite:///{target}"}
    done = subprocess.run(
        [sys.executable, "-m", "web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "REGLAMENT_DEMO=1" in done.stderr
    assert not target.exists()  # no schema, no demo accounts


def test_every_response_carries_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    pages = [client.get("/login"), client.get("/static/app.css"), client.get("/nowhere")]
    pages.append(login(client, "curator").get("/"))
    for response in pages:
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        response.close()  # the static file's handle


def test_cookie_secure_and_proxy_fix_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, app: Flask
) -> None:
    assert not WebSettings.from_env().cookie_secure and WebSettings.from_env().proxy_fix == 0
    monkeypatch.setenv("REGLAMENT_COOKIE_SECURE", "1")
    monkeypatch.setenv("REGLAMENT_PROXY_FIX", "1")
    settings = WebSettings.from_env()
    assert settings.cookie_secure and settings.flask_config()["SESSION_COOKIE_SECURE"]
    assert settings.proxy_fix == 1
    app.config["SESSION_COOKIE_SECURE"] = True
    signed_in = app.test_client().post(
        "/login", data={"login": "curator", "password": "secret-password"}
    )
    assert "Secure" in signed_in.headers["Set-Cookie"]


def test_behind_a_proxy_the_forwarded_address_and_scheme_count(app: Flask) -> None:
    proxied = create_app(
        {
            **{key: app.config[key] for key in ("DATABASE_URL", "PROCESSES_DIR", "CLOCK")},
            "SECRET_KEY": SECRET_KEY,
            "WTF_CSRF_ENABLED": False,
            "PROXY_FIX": 1,
            "LOGIN_RATE_LIMIT": "2 per minute",
        }
    )
    wrong = {"login": "nobody", "password": "wrong-password"}
    first = proxied.test_client()
    for _ in range(2):
        first.post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
    limited = first.post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
    assert limited.status_code == 429
    other = first.post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 401  # another client behind the same proxy
    assert isinstance(proxied.wsgi_app, ProxyFix) and proxied.wsgi_app.x_proto == 1  # scheme
    assert not isinstance(app.wsgi_app, ProxyFix)  # not trusted unless configured


@on_both_databases
def test_a_huge_case_number_is_not_found_and_nul_is_a_bad_request(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    client = login(app.test_client(), "curator")
    assert client.get(f"/cases/{case}").status_code == 200
    for number in ("99999999999999999999", str(2**31), str(2**63), "0"):
        assert client.get(f"/cases/{number}").status_code == 404, number
        assert client.get(f"/cases/{number}/diagram.bpmn").status_code == 404, number
    for path in ("/messages/?q=%00", "/?source=a%00b", "/tasks/%00", "/messages/?%00=1"):
        response = client.get(path)
        assert response.status_code == 400 and "Неверный запрос" in response.text, path
    posted = client.post("/messages/new", data={"source": "vk", "text": "Яма\x00"})
    assert posted.status_code == 400
    assert client.get(f"/cases/{case}").status_code == 200  # the app still answers
