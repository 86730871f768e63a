"""Compared runs side by side, one process each: a comparison takes about as long as one run.

Each run has its own in-memory database, clock and random generators, so running them in other
processes changes none of their figures. The processes are spawned, not forked: a fork would copy
the caller's open connections and threads.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue as queues
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.bpmn.parsing import DeployError
from engine.simulation.model import SimulationInputError, Staff
from engine.simulation.run import Progress, Simulation
from engine.simulation.stream import Arrival
from engine.simulation.summary import summarize

PROGRESS, DONE, FAILED = "progress", "done", "failed"
PROGRESS_STEP = 0.001  # a child reports its progress in steps of a thousandth, not per event
POLL_SECONDS = 0.5  # how often a silent child is checked for having died


class RunInterrupted(RuntimeError):
    """A run's process ended without a word: killed, out of memory."""


@dataclass(frozen=True)
class SimulationJob:
    """One version's run: everything a process needs to play it (picklable)."""

    bpmn: Path
    processes_dir: Path
    staff: Staff
    start: datetime
    days: int
    seed: int
    arrivals: list[Arrival]

    def run(self, progress: Progress | None = None) -> dict[str, Any]:
        """Play the stream and return the run's figures."""
        try:
            simulation = Simulation(
                self.bpmn, self.processes_dir, self.staff, self.start, self.days, self.seed
            )
        except DeployError as error:  # the version's own refusal, named for the person who ran it
            raise SimulationInputError(
                f"версия «{self.bpmn.parent.name}» не принимается: {error}"
            ) from error
        return summarize(simulation.run(self.arrivals, progress))


def run_side_by_side(
    jobs: list[SimulationJob], progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Each job in a process of its own, at once; their figures in the jobs' order.

    `progress` is told the mean of the runs' fractions. A run that fails raises its error here;
    runs whose processes die without a word raise RunInterrupted naming them.
    """
    context = multiprocessing.get_context("spawn")
    channel = context.Queue()
    processes = [
        context.Process(target=_play, args=(number, job, channel), daemon=True)
        for number, job in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    try:
        return _collect(jobs, processes, channel, progress)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        channel.close()


def _collect(
    jobs: list[SimulationJob],
    processes: list[Any],
    channel: Any,
    progress: Progress | None,
) -> list[dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    fractions = [0.0] * len(jobs)
    silent_dead: set[int] = set()
    while len(results) < len(jobs):
        try:
            kind, number, value = channel.get(timeout=POLL_SECONDS)
        except queues.Empty:
            # A child writes its last word before it exits: dead and silent for a whole further
            # wait, it died without one.
            dead = {n for n, p in enumerate(processes) if n not in results and not p.is_alive()}
            _refuse_the_dead(jobs, processes, dead & silent_dead)
            silent_dead = dead
            continue
        if kind == FAILED:
            raise value
        if kind == DONE:
            results[number] = value
            value = 1.0
        fractions[number] = value
        if progress is not None:
            progress(sum(fractions) / len(fractions))
    return [results[number] for number in range(len(jobs))]


def _refuse_the_dead(jobs: list[SimulationJob], processes: list[Any], dead: set[int]) -> None:
    if dead:
        raise RunInterrupted(
            "; ".join(
                f"прогон версии «{jobs[number].bpmn.parent.name}» прервался "
                f"(код выхода {processes[number].exitcode})"
                for number in sorted(dead)
            )
        )


def _play(number: int, job: SimulationJob, channel: Any) -> None:
    """A child's work: the run, its progress in steps, then its figures or its error."""
    reported = [0.0]

    def progress(fraction: float) -> None:
        if fraction - reported[0] >= PROGRESS_STEP:
            reported[0] = fraction
            channel.put((PROGRESS, number, fraction))

    try:
        result = job.run(progress)
    except BaseException as error:  # sent to the caller, which raises it
        channel.put((FAILED, number, _sendable(error)))
        return
    channel.put((DONE, number, result))


def _sendable(error: BaseException) -> BaseException:
    """The error itself when it survives pickling, else a RuntimeError that tells it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
