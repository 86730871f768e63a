"""The worker job: ticks the timer scheduler until stopped (it owns its transactions)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.orm import sessionmaker

from engine.runtime import Runtime
from engine.scheduler import TickReport, tick

log = logging.getLogger(__name__)


def run_worker(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    *,
    interval_seconds: float,
    batch_size: int,
    stop: threading.Event,
    max_ticks: int | None = None,
) -> int:
    """Tick every `interval_seconds` until `stop` is set; returns the number of ticks."""
    ticks = 0
    while not stop.is_set() and (max_ticks is None or ticks < max_ticks):
        report = _drain(session_factory, runtime, batch_size)
        if report.advanced or report.failed:
            log.info("advanced %s, failed %s", report.advanced, report.failed)
        ticks += 1
        stop.wait(interval_seconds)
    return ticks


def _drain(session_factory: sessionmaker[Any], runtime: Runtime, batch_size: int) -> TickReport:
    # Keep ticking while whole batches come back, so a backlog clears in one wake-up.
    total = TickReport()
    while True:
        report = tick(session_factory, runtime, batch_size)
        total.advanced += report.advanced
        total.failed.update(report.failed)
        if len(report.advanced) + len(report.failed) < batch_size:
            return total
