"""Migrating running cases between versions: cases/s against a bare load+dump, per database."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.common import (
    EXAMPLE_BPMN,
    PROCESSES,
    START,
    copy_cases,
    databases,
    message_fields,
    ms,
    new_sessions,
    show,
)
from engine.bpmn.serialization import dump_state, load_state
from engine.clock import VirtualClock
from engine.intake import receive_message
from engine.models import ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.versioning.batch import migrate_batch, plan_for
from engine.versioning.runs import request_run, worker_job
from engine.versions import deploy_file, load_version

# The figure is 10,000 cases; REGLAMENT_BENCH_MIGRATE_CASES makes a quicker run.
CASES = int(os.environ.get("REGLAMENT_BENCH_MIGRATE_CASES", "10000"))
QUEUED = min(CASES, 500)  # the queued run (the web's path) is compared on fewer cases


def main() -> None:
    """A dry run and the real run of CASES cases at their first step, v1 → v2, per database."""
    with tempfile.TemporaryDirectory() as folder:
        processes = _processes(Path(folder))
        for name, engine in databases(Path(folder)):
            if engine is not None:
                _measure(name, engine, processes)


def _processes(folder: Path) -> Path:
    """The example as v1 and a v2 whose screening term is 2 working hours, not 1."""
    root = folder / "processes" / "example"
    for label in ("v1", "v2"):
        shutil.copytree(EXAMPLE_BPMN.parent, root / label)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", root)
    table = root / "v2" / "deadlines.yaml"
    text = table.read_text(encoding="utf-8").replace("text: 1 рабочий час", "text: 2 рабочих часа")
    table.write_text(text, encoding="utf-8")
    bpmn = root / "v2" / "example.bpmn"
    bpmn.write_text(
        bpmn.read_text(encoding="utf-8").replace('name="1 рабочий час"', 'name="2 рабочих часа"'),
        encoding="utf-8",
    )
    return folder / "processes"


def _measure(name: str, engine: Engine, processes: Path) -> None:
    runtime = Runtime(clock=VirtualClock(START), processes_dir=processes)
    sessions = new_sessions(engine)
    with sessions.begin() as session:
        deploy_file(session, runtime, processes / "example" / "v1" / "example.bpmn", "bench")
        first = receive_message(session, runtime, message_fields(0, runtime.clock), "bench")
        first_id = first.message.instance_id
    assert first_id is not None
    ids = [first_id, *copy_cases(engine, first_id, CASES - 1)]
    with sessions.begin() as session:
        deploy_file(session, runtime, processes / "example" / "v2" / "example.bpmn", "bench")
    with sessions() as session:
        plan = plan_for(session, "example", "v1", "v2")
    bare = _bare(sessions, runtime, plan.old.id, ids)
    show(f"{name}: bare load+dump of {len(ids)} cases", f"{bare:.1f} s", _rate(bare, len(ids)))
    for dry_run in (True, False):
        began = time.perf_counter()
        verdicts = migrate_batch(sessions, runtime, plan, ids, "bench", dry_run=dry_run)
        total = time.perf_counter() - began
        moved = sum(verdict.can for verdict in verdicts)
        kind = "dry run" if dry_run else "migration"
        show(
            f"{name}: {kind} of {len(ids)} cases",
            f"{total:.1f} s",
            f"{_rate(total, len(ids))}, {total / bare:.1f}× the bare load+dump, {moved} can move",
        )
    # The web's path: the same dry run (back to v1) queued as a run and worked by the worker's
    # job, chunk by chunk, each verdict written as it comes; against the direct batch.
    few = ids[:QUEUED]
    with sessions() as session:
        back = plan_for(session, "example", "v2", "v1")
    began = time.perf_counter()
    migrate_batch(sessions, runtime, back, few, "bench", dry_run=True)
    direct = time.perf_counter() - began
    queued = _queued(sessions, runtime, few)
    show(
        f"{name}: queued dry run of {len(few)} cases",
        f"{queued:.1f} s",
        f"{_rate(queued, len(few))}, {queued / direct:.2f}× the direct dry run",
    )


def _queued(sessions: sessionmaker[Session], runtime: Runtime, ids: list[int]) -> float:
    """Seconds the worker's job takes to dry-run a queued run of these cases (the web's path)."""
    with sessions.begin() as session:
        now = runtime.clock.now()
        request_run(session, "example", "v2", "v1", "bench", now, dry_run=True, case_ids=ids)
    began = time.perf_counter()
    while worker_job(sessions, runtime, threading.Event()) is not None:
        pass
    return time.perf_counter() - began


def _bare(
    sessions: sessionmaker[Session], runtime: Runtime, version_id: int, ids: list[int]
) -> float:
    """Seconds to read, load, dump and write back each case in its own transaction."""
    with sessions() as session:
        version = session.get_one(ProcessVersion, version_id)
        loaded = load_version(version, runtime)
    began = time.perf_counter()
    for instance_id in ids:
        with sessions.begin() as session:
            query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
            instance = session.scalars(query.with_for_update()).one()
            workflow = load_state(
                instance.state, loaded.spec, loaded.subprocess_specs, loaded.script_engine
            )
            instance.state = dump_state(workflow)
    return time.perf_counter() - began


def _rate(seconds: float, cases: int) -> str:
    return f"{cases / seconds:,.1f} cases/s, {ms(seconds / cases)} per case"
