"""The app factory, signing in and out, CSRF on forms, and Russian pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import PROCESSES
from tests.web.conftest import PASSWORD, SECRET_KEY, login
from web import create_app


def test_create_app_reads_settings_and_takes_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    app = create_app({**database, "TESTING": True, "SECRET_KEY": SECRET_KEY})
    assert app.testing and app.config["PROCESSES_DIR"] == PROCESSES
    assert {"auth", "tasks", "messages", "team"} <= set(app.blueprints)
    monkeypatch.setenv("REGLAMENT_SECRET_KEY", SECRET_KEY)
    assert not create_app(database).testing


def test_pages_need_a_signed_in_user(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get("/messages/").status_code == 302


def test_sign_in_and_out(app: Flask) -> None:
    client = app.test_client()
    refused = client.post("/login", data={"login": "curator", "password": "wrong"})
    assert refused.status_code == 401 and "Неверный логин или пароль" in refused.text
    assert 'value="curator"' in refused.text  # the login typed is kept
    login(client, "curator")
    page = client.get("/")
    assert page.status_code == 200 and "Задачи" in page.text and "Анна Куратор" in page.text
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_sign_in_returns_to_a_local_page_only(app: Flask) -> None:
    client = app.test_client()
    data = {"login": "curator", "password": PASSWORD}
    assert client.post("/login?next=/messages/", data=data).location == "/messages/"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/", data=data).location == "/"


def test_every_form_needs_its_csrf_token(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"login": "curator", "password": PASSWORD})
    assert response.status_code == 400 and "Форма устарела" in response.text
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = client.post(
        "/login", data={"login": "curator", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
