"""The task list at scale: 100,000 messages, 10,000 open tasks; response time vs bare SQL."""

from __future__ import annotations

import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine

from benchmarks.common import (
    EXAMPLE_BPMN,
    PROCESSES,
    START,
    databases,
    make_runtime,
    median_time,
    ms,
    new_sessions,
    show,
)
from benchmarks.report import REPORT, Goal
from engine.access import viewer_for
from engine.accounts import create_user
from engine.models import Message, OpenUserTask, ProcessInstance, User
from engine.queries import TaskFilter, task_list
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.versions import deploy_file
from web import create_app
from web.db import extension_state

MESSAGES = 100_000
OPEN_TASKS = 10_000
BATCH = 5_000
RUNS = 15
PASSWORD = "bench-password"
GOALS = {  # issue 16: the engine query ≤ ×1.5 the bare SQL, the whole page ≤ ×3
    "engine.queries.task_list (+count, remaining)": Goal(1.5),
    "GET / (the whole page)": Goal(3),
}
DEPARTMENTS = ("housing", "roads", "transport")
# The bare query: a curator's first page of tasks by the index, then each case's first message.
BARE_SQL = """
WITH page AS (
  SELECT task_id, instance_id, element_id, name, lane, role, department, assignee, form_key,
         due_at, created_at
  FROM open_user_tasks
  WHERE municipality = 'example'
  ORDER BY due_at IS NULL, due_at, created_at
  LIMIT 100
)
SELECT page.*, m.text, m.source, m.author
FROM page
JOIN messages AS m ON m.id = (SELECT min(id) FROM messages WHERE instance_id = page.instance_id)
ORDER BY page.due_at IS NULL, page.due_at, page.created_at
"""

# The same rows in the order the engine now asks for (NULLS LAST), which the index
# (municipality, due_at, created_at) answers without sorting: the floor of the first page.
INDEXED_SQL = BARE_SQL.replace(
    "ORDER BY due_at IS NULL, due_at, created_at", "ORDER BY due_at NULLS LAST, created_at"
).replace(
    "ORDER BY page.due_at IS NULL, page.due_at, page.created_at",
    "ORDER BY page.due_at NULLS LAST, page.created_at",
)


def fill(engine: Engine, runtime: Runtime) -> None:
    """Cases and messages in bulk; every tenth case waits on an open task, due over a week."""
    sessions = new_sessions(engine)
    with sessions.begin() as session:
        version_id = deploy_file(session, runtime, EXAMPLE_BPMN, "bench").version.id
        create_user(
            session,
            login="curator",
            password=PASSWORD,
            full_name="Куратор",
            roles=["curator"],
            municipality="example",
        )
    for start in range(0, MESSAGES, BATCH):
        numbers = range(start + 1, min(start + BATCH, MESSAGES) + 1)
        with engine.begin() as connection:
            connection.execute(
                insert(ProcessInstance.__table__), [_case(n, version_id) for n in numbers]
            )
            connection.execute(insert(Message.__table__), [_message(n) for n in numbers])
            tasks = [_task(n) for n in numbers if n % (MESSAGES // OPEN_TASKS) == 0]
            connection.execute(insert(OpenUserTask.__table__), tasks)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _case(n: int, version_id: int) -> dict[str, Any]:
    running = n % (MESSAGES // OPEN_TASKS) == 0
    return {
        "id": n,
        "version_id": version_id,
        "municipality": "example",
        "status": (InstanceStatus.RUNNING if running else InstanceStatus.COMPLETED).value,
        "correlation_key": f"example|vk|author-{n}|{n}",
        "state": "{}",  # the task list never reads a case's state
        "started_at": START - timedelta(minutes=n),
        "updated_at": START,
        "revision": 1,
    }


def _message(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "municipality": "example",
        "source": ("vk", "ok", "incident_manager")[n % 3],
        "external_id": f"bench-{n}",
        "channel": "feed",
        "official_page": False,
        "author": "Иван Петров",
        "author_id": f"author-{n % 20_000}",
        "text": f"Сообщение {n}: во дворе дома {n % 300} третий день не вывозят мусор.",
        "correlation_key": f"example|vk|author-{n}|{n}",
        "received_at": START - timedelta(minutes=n),
        "payload": {},
        "instance_id": n,
    }


def _task(n: int) -> dict[str, Any]:
    drafting = n % 3 != 0
    return {
        "task_id": f"00000000-0000-0000-0000-{n:012d}",
        "instance_id": n,
        "municipality": "example",
        "element_id": "draft_answer" if drafting else "review",
        "name": "Подготовить ответ" if drafting else "Проверить ответ",
        "lane": "Исполнитель" if drafting else "Куратор",
        "role": "executor" if drafting else "curator",
        "department": DEPARTMENTS[n % 3] if drafting else None,
        "form_key": "draft_answer" if drafting else "review",
        "due_at": START + timedelta(minutes=(n * 7) % (7 * 24 * 60)) - timedelta(days=1),
        "created_at": START - timedelta(hours=2),
    }


def bench_database(name: str, engine: Engine, folder: Path) -> None:
    """Fill one database and time the bare query, the engine query and the HTTP responses."""
    clock, runtime = make_runtime()
    fill(engine, runtime)
    app = create_app(
        {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": secrets.token_hex(32),
            "CLOCK": clock,
            "PROCESSES_DIR": PROCESSES,
            "WTF_CSRF_ENABLED": False,
        }
    )
    _share_engine(app, engine)
    sessions = new_sessions(engine)
    with sessions() as session:
        curator = session.scalars(select(User)).one()
        viewer = viewer_for(session, curator, clock.now())

    def bare(sql: str = BARE_SQL) -> list[Any]:
        with engine.connect() as connection:
            return list(connection.exec_driver_sql(sql))

    def engine_query() -> Any:
        with sessions() as session:
            return task_list(session, runtime, viewer, TaskFilter(scope="all"))

    client = app.test_client()
    client.post("/login", data={"login": "curator", "password": PASSWORD})
    assert len(bare()) == 100 and len(engine_query().rows) == 100
    # The same deadlines in the same order (tasks sharing a deadline may come in either order).
    assert [row.due_at for row in bare()] == [row.due_at for row in bare(INDEXED_SQL)]
    shown = ",".join(row.task.task_id for row in engine_query().rows)
    kept = f"/tasks/rows?scope=all&shown={shown}"
    baseline = median_time(bare, RUNS)
    print(f"{name}: {MESSAGES:,} messages, {OPEN_TASKS:,} open tasks, a curator's «Все», 100 rows")
    REPORT.setting("web", messages=MESSAGES, open_tasks=OPEN_TASKS, runs=RUNS)
    REPORT.add("web", f"{name} bare SQL of the first page", baseline * 1000, "ms")
    show("bare indexed SQL (same rows)", ms(baseline), "1.0×")
    floor = median_time(lambda: bare(INDEXED_SQL), RUNS)
    REPORT.add("web", f"{name} bare SQL in the index's order (NULLS LAST)", floor * 1000, "ms")
    show("bare SQL in the index's order (NULLS LAST)", ms(floor), f"{floor / baseline:.1f}×")
    for label, call in (
        ("engine.queries.task_list (+count, remaining)", engine_query),
        ("GET /tasks/rows (the polled fragment)", lambda: _ok(client.get("/tasks/rows?scope=all"))),
        ("GET / (the whole page)", lambda: _ok(client.get("/?scope=all"))),
        (
            "GET /?overdue=1&department=roads",
            lambda: _ok(client.get("/?scope=all&overdue=1&department=roads")),
        ),
        ("GET /tasks/rows?shown=… (100 rows kept in place)", lambda: _ok(client.get(kept))),
        ("GET /?q=мусор (search in messages)", lambda: _ok(client.get("/?scope=all&q=мусор"))),
    ):
        seconds = median_time(call, RUNS)
        show(
            label, ms(seconds), f"{seconds / baseline:.1f}× bare SQL, {seconds / floor:.1f}× floor"
        )
        goal = GOALS.get(label)
        if goal is not None:
            REPORT.add("web", f"{name} {label} ÷ bare SQL", seconds / baseline, "×", goal)
    extension_state(app)["engine"].dispose()


def _share_engine(app: Flask, engine: Engine) -> None:
    # PostgreSQL benchmarks run in their own schema, which only the given engine selects.
    state = extension_state(app)
    state["engine"].dispose()
    state["engine"], state["sessions"] = engine, new_sessions(engine)


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.status_code


def main() -> None:
    """Run the task-list benchmark on SQLite and, when reachable, PostgreSQL."""
    with tempfile.TemporaryDirectory(prefix="reglament-bench-web-") as folder:
        for name, engine in databases(Path(folder)):
            if engine is not None:
                bench_database(name, engine, Path(folder))
