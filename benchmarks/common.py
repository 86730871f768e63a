"""Shared benchmark plumbing: databases, the clock and runtime, timing helpers."""

from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.report import REPORT
from engine.clock import VirtualClock
from engine.db import Base, make_engine, make_session_factory
from engine.models import OpenUserTask, ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.versions import deploy_file

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
EXAMPLE_BPMN = PROCESSES / "example" / "v1" / "example.bpmn"
MSK = timezone(timedelta(hours=3))
START = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)  # a Monday morning, the office is open
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def postgres_url() -> str:
    """The scratch PostgreSQL database the benchmarks may use."""
    return os.environ.get("REGLAMENT_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def make_runtime() -> tuple[VirtualClock, Runtime]:
    """A virtual clock at START and the runtime on the repository's processes."""
    clock = VirtualClock(START)
    return clock, Runtime(clock=clock, processes_dir=PROCESSES)


@contextmanager
def sqlite_database(folder: Path) -> Iterator[Engine]:
    """A fresh engine schema in a SQLite file (WAL, as the application runs it)."""
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[Engine | None]:
    """A fresh engine schema in PostgreSQL schema `bench`, or None when unreachable."""
    url = postgres_url()
    try:
        _run_ddl(url, f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE", f"CREATE SCHEMA {PG_SCHEMA}")
    except OperationalError as error:
        print(f"  PostgreSQL at {url} unreachable, skipped ({str(error).splitlines()[0]})")
        yield None
        return
    engine = bench_postgres_engine()
    try:
        Base.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        _run_ddl(url, f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")


def bench_postgres_engine() -> Engine:
    """An engine on the benchmarks' PostgreSQL schema (worker processes open their own)."""
    return create_engine(postgres_url(), connect_args={"options": f"-csearch_path={PG_SCHEMA}"})


def _run_ddl(url: str, *statements: str) -> None:
    """Run DDL statements on a short-lived connection."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def databases(folder: Path) -> Iterator[tuple[str, Engine | None]]:
    """Each database in turn, by name: SQLite always, PostgreSQL when reachable."""
    with sqlite_database(folder) as engine:
        yield "SQLite", engine
    with postgres_database() as pg_engine:
        yield "PostgreSQL", pg_engine


def deploy_example(sessions: sessionmaker[Session], runtime: Runtime) -> ProcessVersion:
    """Deploy and activate the example regulation in its own transaction."""
    with sessions.begin() as session:
        return deploy_file(session, runtime, EXAMPLE_BPMN, "bench").version


def new_sessions(engine: Engine) -> sessionmaker[Session]:
    """The application's session factory on a benchmark engine."""
    return make_session_factory(engine)


def message_fields(number: int, clock: VirtualClock) -> dict[str, Any]:
    """One incoming message; each number is a different author (so a new case)."""
    return {
        "municipality": "example",
        "source": "vk",
        "external_id": f"bench-{number}",
        "author": "Иван Петров",
        "author_id": f"author-{number}",
        "text": "Во дворе дома 5 по ул. Ленина третий день не вывозят мусор.",
        "received_at": clock.now().isoformat(),
    }


def copy_cases(engine: Engine, instance_id: int, count: int) -> list[int]:
    """Bulk-insert copies of a case (its row and open tasks), each with task ids of its own."""
    instances, tasks = ProcessInstance.__table__, OpenUserTask.__table__
    with engine.begin() as connection:
        found = connection.execute(select(instances).where(instances.c.id == instance_id))
        row = {key: value for key, value in found.mappings().one().items() if key != "id"}
        open_rows = [
            dict(task)
            for task in connection.execute(select(tasks).where(tasks.c.instance_id == instance_id))
            .mappings()
            .all()
        ]
        copies, names = [], []
        for number in range(count):
            state, renamed = _renamed(row["state"])
            copies.append({**row, "state": state, "correlation_key": f"copy-{number}"})
            names.append(renamed)
        ids = list(
            connection.scalars(
                insert(instances).returning(instances.c.id, sort_by_parameter_order=True),
                copies,
            )
        )
        task_rows = [
            {**task, "instance_id": new_id, "task_id": _new_id(renamed, task["task_id"])}
            for new_id, renamed in zip(ids, names, strict=True)
            for task in open_rows
        ]
        if task_rows:
            connection.execute(insert(tasks), task_rows)
    return ids


def _renamed(state: str) -> tuple[str, dict[str, str]]:
    """A stored state with every task id replaced by a new one, and the old → new ids."""
    renamed: dict[str, str] = {}
    return UUID_TEXT.sub(lambda match: _new_id(renamed, match.group(0)), state), renamed


def _new_id(renamed: dict[str, str], old: str) -> str:
    """The copy's id for a task id of the original (one new id per old one)."""
    return renamed.setdefault(old, str(uuid4()))


def timed(func: Callable[[], Any]) -> float:
    """Seconds one call of func takes."""
    began = time.perf_counter()
    func()
    return time.perf_counter() - began


def median_time(
    func: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None
) -> float:
    """Median seconds of func over runs; `before` runs untimed ahead of each."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        times.append(timed(func))
    return statistics.median(times)


def show(label: str, value: str, note: str = "") -> None:
    """One row of a figures table: label, right-aligned value, optional note."""
    print(f"  {label:<46}{value:>24}  {note}".rstrip())


def ms(seconds: float) -> str:
    """Seconds as milliseconds for a table."""
    return f"{seconds * 1000:,.2f} ms"


def kib(size: int) -> str:
    """Bytes as a readable size."""
    return f"{size:,} B ({size / 1024:,.1f} KiB)"


def sized(full: int, quick: int) -> int:
    """A size: the full one, or the quick run's (`python -m benchmarks --quick`)."""
    return quick if REPORT.quick else full
