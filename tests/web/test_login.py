"""Signing in over HTTP: address limit (429), account lockout (423), revocable sessions."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import deactivate_user, set_password
from engine.clock import VirtualClock
from engine.models import User
from tests.web.conftest import PASSWORD, login

WRONG = {"login": "curator", "password": "wrong-password"}
RIGHT = {"login": "curator", "password": PASSWORD}


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(
    app: Flask, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    client = app.test_client()
    for _ in range(4):
        assert client.post("/login", data=WRONG).status_code == 401
    locked = client.post("/login", data=WRONG)
    assert locked.status_code == 423
    assert "вход в эту учётную запись заблокирован на 15 мин" in locked.text
    refused = client.post("/login", data=RIGHT)  # the right password, during the lockout
    assert refused.status_code == 423 and "заблокирован" in refused.text
    assert client.get("/").status_code == 302
    clock.advance(timedelta(minutes=15))
    assert client.post("/login", data=RIGHT).status_code == 302
    with sessions() as session:
        user = session.scalars(select(User).where(User.login == "curator")).one()
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_failed_sign_ins_are_limited_per_address(app: Flask) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"login": "nobody", "password": "x"}).status_code == 401
    limited = client.post("/login", data=RIGHT)
    assert limited.status_code == 429 and "Слишком много неудачных попыток" in limited.text
    assert int(limited.headers["Retry-After"]) > 0
    elsewhere = app.test_client().post(
        "/login", data=RIGHT, environ_base={"REMOTE_ADDR": "192.0.2.10"}
    )
    assert elsewhere.status_code == 302


def test_successful_sign_ins_do_not_count_against_the_address(app: Flask) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(6):  # colleagues behind one office address, all at nine
        assert app.test_client().post("/login", data=RIGHT).status_code == 302


def _copied_cookie(app: Flask) -> tuple[FlaskClient, str]:
    client = login(app.test_client(), "curator")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return client, cookie.value


def _replayed(app: Flask, cookie: str) -> int:
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/").status_code


def test_a_cookie_copied_before_logout_stops_working_after_it(app: Flask) -> None:
    client, cookie = _copied_cookie(app)
    assert _replayed(app, cookie) == 200
    client.post("/logout")
    assert _replayed(app, cookie) == 302
    assert login(app.test_client(), "curator").get("/").status_code == 200  # a new sign-in works


def test_a_password_change_or_deactivation_ends_open_sessions(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    _, cookie = _copied_cookie(app)
    with sessions.begin() as session:
        user = session.scalars(select(User).where(User.login == "curator")).one()
        set_password(session, user, "a-new-long-password")
    assert _replayed(app, cookie) == 302
    client = app.test_client()
    signed_in = client.post("/login", data={"login": "curator", "password": "a-new-long-password"})
    assert signed_in.status_code == 302
    with sessions.begin() as session:
        deactivate_user(session, session.scalars(select(User).where(User.login == "curator")).one())
    assert client.get("/").status_code == 302
