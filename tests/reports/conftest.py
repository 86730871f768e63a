"""The report fixture built once per database: Perm cases with known lateness."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.db import Base, make_engine, make_session_factory
from engine.runtime import Runtime
from tests.conftest import POSTGRES_URL, PROCESSES, reset_postgres
from tests.reports.fixtures import FIRST_START, Driver, build_fixture


@dataclass
class Built:
    """The database the fixture filled, its runtime and the cases of each kind."""

    url: str
    sessions: sessionmaker[Session]
    runtime: Runtime
    kinds: dict[str, list[int]]


def _params() -> list[object]:
    skip = pytest.mark.skipif(not POSTGRES_URL, reason="REGLAMENT_TEST_POSTGRES_URL not set")
    return ["sqlite", pytest.param("postgresql", marks=[skip, pytest.mark.postgres])]


@pytest.fixture(scope="module", params=_params())
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    """Deploy Perm and drive the hand-counted cases (tests/reports/README.md)."""
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('reports')) / 'r.sqlite3'}"
        engine = make_engine(url)
    else:
        url = str(POSTGRES_URL)
        engine = make_engine(url)
        reset_postgres(engine)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    clock = VirtualClock(FIRST_START)
    runtime = Runtime(clock=clock, processes_dir=PROCESSES)
    driver = Driver(sessions, clock, runtime)
    build_fixture(driver)
    yield Built(url, sessions, runtime, driver.kinds)
    engine.dispose()
