"""The worker job: drains due cases, sleeps only when none is due, outlives any fault."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy.orm import sessionmaker

from engine.faults import Backoff, RetryPolicy, is_transient
from engine.runtime import Runtime
from engine.scheduler import TickReport, tick
from engine.versioning.activation import perform_due

log = logging.getLogger(__name__)
# Another job of each wake-up (publishing the outbox, adapters/publishing/job.py): it returns
# the seconds until it has work again, or None. Installed packages offer them as entry points,
# so the engine runs them without importing adapters/.
WorkerJob = Callable[[sessionmaker[Any], Runtime, threading.Event], float | None]
JOBS_GROUP = "reglament.worker_jobs"


def installed_jobs() -> list[WorkerJob]:
    """The jobs the installed packages register under `reglament.worker_jobs`."""
    return [entry.load()() for entry in entry_points(group=JOBS_GROUP)]


def run_worker(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    *,
    interval_seconds: float,
    batch_size: int,
    stop: threading.Event,
    max_ticks: int | None = None,
    retry: RetryPolicy | None = None,
    jobs: Sequence[WorkerJob] = (),
) -> int:
    """Drain, then sleep up to `interval_seconds`, until `stop` is set; returns the wake-ups."""
    retry = RetryPolicy() if retry is None else retry
    backoff = Backoff(retry)
    ticks = faults_in_a_row = 0
    while not stop.is_set():
        try:
            drain(session_factory, runtime, batch_size, backoff, stop)
            waits = [job(session_factory, runtime, stop) for job in jobs]
            faults_in_a_row = 0
            pause = min([_pause(interval_seconds, backoff), *(w for w in waits if w is not None)])
        except Exception as error:  # the worker outlives any fault of one wake-up
            faults_in_a_row += 1
            pause = retry.delay(faults_in_a_row)
            _log_wake_up_fault(error, pause)
        ticks += 1
        if max_ticks is not None and ticks >= max_ticks:
            break
        stop.wait(pause)
    return ticks


def drain(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    batch_size: int,
    backoff: Backoff,
    stop: threading.Event,
) -> TickReport:
    """Tick batch after batch, with no pause, until no free case is due (or `stop`)."""
    with session_factory.begin() as session:  # scheduled version switches: their own job
        perform_due(session, runtime.clock.now())
    total = TickReport()
    while not stop.is_set():
        report = tick(
            session_factory, runtime, batch_size, backoff=backoff, stop=stop, skip=total.still_due
        )
        total.add(report)
        if report.handled:
            log.info(
                "advanced %d, retrying %d, parked %d",
                len(report.advanced),
                len(report.retrying),
                len(report.failed),
            )
        if report.drained:
            break
    return total


def _pause(interval_seconds: float, backoff: Backoff) -> float:
    """Sleep the interval, or less when a backed-off case may be retried sooner."""
    retry_in = backoff.seconds_to_next_retry()
    return interval_seconds if retry_in is None else min(interval_seconds, retry_in)


def _log_wake_up_fault(error: Exception, pause: float) -> None:
    if is_transient(error):
        log.warning("the database failed (%s); the worker retries in %.1f s", error, pause)
    else:
        log.error("the worker's wake-up failed; it retries in %.1f s", pause, exc_info=error)
