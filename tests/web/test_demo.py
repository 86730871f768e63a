"""The demo `make run` starts: every municipality staffed, live task lists, overdue cases."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from engine.accounts import authenticate
from engine.demo_accounts import DEMO_PASSWORD, municipalities
from engine.models import OpenUserTask, User, Violation
from engine.worker import run_worker
from tests.conftest import PROCESSES
from web import create_app
from web.db import extension_state
from web.demo import prepare


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
