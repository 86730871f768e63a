"""Web fixtures: an app on a fresh SQLite file, the example regulation, staff of two towns."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.clock import VirtualClock
from engine.db import Base, make_engine
from engine.runtime import Runtime
from engine.versions import deploy_file
from tests.conftest import (
    EXAMPLE_BPMN,
    POSTGRES_URL,
    PROCESSES,
    _database_params,
    reset_postgres,
)
from tests.engine.helpers import send
from web import create_app
from web.db import extension_state
from web.i18n import compile_catalogs

PASSWORD = "secret-password"
# A fresh random secret: the app refuses a short or known one outside the demo.
SECRET_KEY = secrets.token_hex(32)
STAFF = (
    ("curator", "Анна Куратор", ["curator"], "example", None),
    ("housing", "Борис ЖКХ", ["executor"], "example", "housing"),
    ("roads", "Вера Дороги", ["executor"], "example", "roads"),
    ("head", "Глеб Глава", ["head"], "example", None),
    ("perm", "Дарья Пермь", ["curator"], "perm", None),
)


@pytest.fixture(scope="session", autouse=True)
def _catalogs() -> None:
    compile_catalogs()


# `@on_both_databases` runs a web test on SQLite and, when configured, on PostgreSQL.
on_both_databases = pytest.mark.parametrize("database", _database_params(), indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The app's database URL: a SQLite file unless a test asks for PostgreSQL."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'web.sqlite3'}"
    engine = make_engine(str(POSTGRES_URL))
    reset_postgres(engine)
    engine.dispose()
    return str(POSTGRES_URL)


def make_app(database: str | Path, clock: VirtualClock) -> Flask:
    """An app on a new database (a URL, or a folder for SQLite) with staff and the example."""
    if isinstance(database, Path):
        database = f"sqlite:///{database / 'web.sqlite3'}"
    flask_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database,
            "PROCESSES_DIR": PROCESSES,
            "CLOCK": clock,
            "WTF_CSRF_ENABLED": False,
        }
    )
    state = extension_state(flask_app)
    Base.metadata.create_all(state["engine"])
    with state["sessions"].begin() as session:
        deploy_file(session, state["runtime"], EXAMPLE_BPMN, "admin")
        for login, name, roles, municipality, department in STAFF:
            create_user(
                session,
                login=login,
                password=PASSWORD,
                full_name=name,
                roles=roles,
                municipality=municipality,
                department=department,
            )
    return flask_app


@pytest.fixture
def app(database: str, clock: VirtualClock) -> Iterator[Flask]:
    """The app on a new database with the example deployed and the staff created."""
    flask_app = make_app(database, clock)
    yield flask_app
    extension_state(flask_app)["engine"].dispose()


@pytest.fixture
def sessions(app: Flask) -> sessionmaker[Session]:
    """The app's session factory, for arranging data outside requests."""
    factory: sessionmaker[Session] = extension_state(app)["sessions"]
    return factory


@pytest.fixture
def web_runtime(app: Flask) -> Runtime:
    """The app's runtime (its virtual clock)."""
    found: Runtime = extension_state(app)["runtime"]
    return found


def login(client: FlaskClient, user: str) -> FlaskClient:
    """Sign a test client in."""
    response = client.post("/login", data={"login": user, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def send_message(
    sessions: sessionmaker[Session], runtime: Runtime, external_id: str = "1", **fields: Any
) -> int:
    """Receive a message of the example town; returns its case id."""
    fields = {
        "text": "Не вывозят мусор во дворе дома 7",
        "url": "https://vk.com/wall-1_1",
        **fields,
    }
    return send(sessions, runtime, external_id, **fields).result.instance.id
