"""The demo `make run` starts: every municipality staffed, live task lists, overdue cases."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.accounts import authenticate
from engine.clock import VirtualClock
from engine.db import Base
from engine.demo_accounts import DEMO_PASSWORD, municipalities
from engine.models import OpenUserTask, User, Violation
from engine.settings import Settings
from engine.worker import run_worker
from tests.conftest import PROCESSES
from tests.engine.helpers import deploy_example, send
from web import create_app
from web.config import WebSettings
from web.db import extension_state
from web.demo import prepare, start_worker


def test_demo_prepares_staff_and_messages_once(tmp_path: Path) -> None:
    app = create_app(
        {
            "DEMO": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    state = extension_state(app)
    prepare(app)
    prepare(app)  # a second start adds nothing
    run_worker(
        state["sessions"],
        state["runtime"],
        interval_seconds=0,
        batch_size=50,
        stop=threading.Event(),
        max_ticks=1,
    )
    with state["sessions"]() as session:
        towns = set(session.scalars(select(User.municipality)))
        assert towns == set(municipalities(PROCESSES)) and {"perm", "palana", "example"} <= towns
        assert authenticate(session, "example.curator", DEMO_PASSWORD) is not None
        assert authenticate(session, "example.executor", DEMO_PASSWORD).department == "housing"
        example_tasks = session.scalar(
            select(func.count()).where(OpenUserTask.municipality == "example")
        )
        assert example_tasks and example_tasks >= 5
        assert session.scalar(select(func.count()).select_from(Violation)) >= 2
    client = app.test_client()
    client.post("/login", data={"login": "example.curator", "password": DEMO_PASSWORD})
    assert "просрочено" in client.get("/?scope=all").text
    state["engine"].dispose()


def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    """Whether a condition becomes true within `seconds` (the worker runs in its thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_demo_worker_thread_outlives_a_failing_database(
    tmp_path: Path, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        {"DEMO": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'late.sqlite3'}", "CLOCK": clock}
    )
    state = extension_state(app)
    stop = threading.Event()
    settings = WebSettings(engine=Settings(worker_interval_seconds=0.05))
    with caplog.at_level(logging.WARNING, logger="engine.worker"):
        thread = start_worker(app, settings, stop)  # the schema does not exist yet
        assert _within(10, lambda: "the database failed" in caplog.text), caplog.text
        assert thread.is_alive()
        Base.metadata.create_all(state["engine"])
        deploy_example(state["sessions"], state["runtime"])
        case = send(state["sessions"], state["runtime"]).result.instance.id
        clock.advance(timedelta(hours=2))

        def fired() -> bool:
            with state["sessions"]() as session:
                return session.scalar(select(Violation.instance_id)) == case

        assert _within(15, fired)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    state["engine"].dispose()
