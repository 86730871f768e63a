"""Shared fixtures: databases (SQLite always, PostgreSQL when its URL is given) and clocks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.db import Base, make_engine, make_session_factory
from engine.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
EXAMPLE_BPMN = PROCESSES / "example" / "v1" / "example.bpmn"
EXAMPLE_TABLE = EXAMPLE_BPMN.parent / "deadlines.yaml"  # the timers of the example name its rows
EXAMPLE_FILES = ("example.bpmn", "deadlines.yaml", "forms.yaml")  # the version, its scenarios aside


def copy_example_version(folder: Path) -> None:
    """Copy the example version (diagram, deadline table, forms) into `folder`."""
    for name in EXAMPLE_FILES:
        shutil.copy(EXAMPLE_BPMN.parent / name, folder)


MSK = timezone(timedelta(hours=3))
POSTGRES_URL = os.environ.get("REGLAMENT_TEST_POSTGRES_URL")
# Password hashes at OWASP's cost (N=2^17, 128 MiB, ~0.3 s) would make every sign-in of the
# suite slow; tests and the servers they start hash at 2^10. One test checks the default.
TEST_SCRYPT_N = "1024"
os.environ["REGLAMENT_PASSWORD_SCRYPT_N"] = TEST_SCRYPT_N


def _database_params() -> list[Any]:
    marks = pytest.mark.skipif(not POSTGRES_URL, reason="REGLAMENT_TEST_POSTGRES_URL not set")
    return ["sqlite", pytest.param("postgresql", marks=[marks, pytest.mark.postgres])]


@pytest.fixture(params=_database_params())
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty engine schema on a SQLite file, and on PostgreSQL when configured."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'reglament.sqlite3'}")
    else:
        engine = make_engine(str(POSTGRES_URL))
        reset_postgres(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def reset_postgres(engine: Engine) -> None:
    """Drop whatever an earlier test left in the shared PostgreSQL test database."""
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture
def sessions(db_engine: Engine) -> sessionmaker[Session]:
    """A session factory on the test database; each test owns its transactions."""
    return make_session_factory(db_engine)


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock at Monday 16 March 2026, 10:00 Moscow time."""
    return VirtualClock(datetime(2026, 3, 16, 10, 0, tzinfo=MSK))


@pytest.fixture
def runtime(clock: VirtualClock) -> Runtime:
    """The engine runtime on the virtual clock and the repository's processes."""
    return Runtime(clock=clock, processes_dir=PROCESSES)
