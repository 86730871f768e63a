"""Draining a backlog of due cases on PostgreSQL with 1, 2 and 4 worker processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import timedelta
from multiprocessing.synchronize import Barrier
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from benchmarks.common import (
    PROCESSES,
    START,
    bench_postgres_engine,
    copy_cases,
    deploy_example,
    make_runtime,
    message_fields,
    new_sessions,
    postgres_database,
    show,
    sized,
)
from benchmarks.report import REPORT, Goal
from engine.clock import VirtualClock
from engine.intake import receive_message
from engine.models import AuditEvent, ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.scheduler import due_instance_ids
from engine.statuses import AuditKind, InstanceStatus
from engine.versions import load_version
from engine.worker import run_worker

CASES = 2_000
WORKER_COUNTS = (1, 2, 4)
BATCH_SIZE = 50
DUE_AT = START + timedelta(hours=2)  # the screening deadline (1 working hour) has passed
# fork: a worker starts in milliseconds with everything imported; the timing starts after
# every worker has connected and loaded the regulation, so only the drain is measured.
CONTEXT = multiprocessing.get_context("fork")


def _fill(engine: Engine, cases: int) -> None:
    """One real case waiting at screening, and copies of it up to CASES (own task ids each)."""
    sessions = new_sessions(engine)
    clock, runtime = make_runtime()
    deploy_example(sessions, runtime)
    with sessions.begin() as session:
        first = receive_message(session, runtime, message_fields(0, clock), "bench")
    copy_cases(engine, first.result.instance.id, cases - 1)


def _worker(ready: Barrier) -> None:
    """One worker process: connect, load the regulation, wait for the start, drain once."""
    engine = bench_postgres_engine()
    sessions = new_sessions(engine)
    runtime = Runtime(clock=VirtualClock(DUE_AT), processes_dir=PROCESSES)
    with sessions() as session:
        load_version(session.scalars(select(ProcessVersion)).one(), runtime)
    ready.wait()
    run_worker(
        sessions,
        runtime,
        interval_seconds=0,
        batch_size=BATCH_SIZE,
        stop=threading.Event(),
        max_ticks=1,  # one wake-up: it must drain the whole backlog without pausing
    )
    engine.dispose()


def _drain(workers: int) -> float:
    """Seconds `workers` processes take to drain every due case."""
    ready = CONTEXT.Barrier(workers + 1)
    processes = [CONTEXT.Process(target=_worker, args=(ready,)) for _ in range(workers)]
    for process in processes:
        process.start()
    ready.wait()
    began = time.perf_counter()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - began
    failed = [process.exitcode for process in processes if process.exitcode]
    if failed:
        raise RuntimeError(f"worker processes exited with {failed}")
    return seconds


def _outcome(engine: Engine, cases: int) -> dict[str, Any]:
    """What the drain left: fired timers, their duplicates, cases still due or parked."""
    sessions = new_sessions(engine)
    with sessions() as session:
        fired = select(AuditEvent.instance_id, AuditEvent.task_id).where(
            AuditEvent.kind == AuditKind.TIMER_FIRED
        )
        rows = session.execute(fired).all()
        parked = session.scalar(
            select(func.count()).where(ProcessInstance.status == InstanceStatus.ERROR)
        )
        due = len(due_instance_ids(session, DUE_AT, cases))
    return {"fired": len(rows), "twice": len(rows) - len(set(rows)), "due": due, "parked": parked}


def main() -> None:
    """Print the drain time of 1, 2 and 4 workers and their ratios to one worker."""
    cases = sized(CASES, CASES // 5)
    REPORT.setting("workers", cases=cases, batch_size=BATCH_SIZE, workers=list(WORKER_COUNTS))
    print(f"== Worker drain: {cases:,} due cases on PostgreSQL, batch_size={BATCH_SIZE}")
    print("      (each count on a fresh schema; one wake-up per worker process)")
    seconds: dict[int, float] = {}
    for workers in WORKER_COUNTS:
        with postgres_database() as engine:
            if engine is None:
                return
            _fill(engine, cases)
            seconds[workers] = _drain(workers)
            left = _outcome(engine, cases)
        rate = f"{cases / seconds[workers]:,.0f} cases/s"
        note = (
            f"fired {left['fired']:,}, twice {left['twice']}, "
            f"left due {left['due']}, parked {left['parked']}"
        )
        show(f"{workers} worker(s)", f"{seconds[workers]:,.2f} s", f"{rate}; {note}")
        REPORT.add(
            "workers", f"{workers} worker(s) cases per second", cases / seconds[workers], "/s"
        )
        lost = left["twice"] + left["due"] + left["parked"]
        REPORT.add(
            "workers", f"{workers} worker(s) fired twice, left due, parked", lost, "", Goal(0)
        )
    for workers in WORKER_COUNTS[1:]:
        speedup = seconds[1] / seconds[workers]
        cores = multiprocessing.cpu_count()
        show(f"{workers} workers vs 1", f"×{speedup:.2f} faster", f"on {cores} cores")
        REPORT.add("workers", f"drain speed-up {workers} workers ÷ 1", speedup, "×")


if __name__ == "__main__":
    main()
