"""Budgets that bound one advance: CPU time, memory, engine steps, iterations, sizes of values.

Besides clock.py the only module that reads a clock: a monotonic one, measuring how long a step
has been computing (never the business time, which comes from the injected `Clock`).
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.exceptions import WorkflowException

MEMORY_CHECK_EVERY = 8  # reading the resident size costs ~2 µs: every 8th check is enough


@dataclass(frozen=True)
class StepLimits:
    """What one advance and each evaluation in it may use; beyond it the step is stopped."""

    time_seconds: float = 5.0  # one advance: scripts, expressions and engine steps together
    memory_mb: int = 256  # growth of the process's resident memory during one advance
    engine_steps: int = 500  # tasks SpiffWorkflow runs in one advance (a loop with no wait)
    iterations: int = 100_000  # items one script or expression iterates, over all its loops
    range_items: int = 10_000  # items of one range()
    text_length: int = 1_000_000  # characters (or bytes) of one string a script builds
    sequence_items: int = 100_000  # items of one list or tuple a script builds
    int_bits: int = 4096  # bits of one integer a script computes
    format_width: int = 1000  # a width or precision in a format specification
    data_size: int = 10_000_000  # case data after a script, as text (shared values each time)
    data_depth: int = 50  # nesting of case data after a script


class StepFailed(RuntimeError):
    """A step of a regulation that could not run: the reason and the element it stopped at."""

    def __init__(
        self, reason: str, element_id: str | None = None, element_name: str | None = None
    ) -> None:
        where = ""
        if element_id:
            where = f" (элемент {element_id}" + (f" «{element_name}»)" if element_name else ")")
        super().__init__(f"{reason}{where}")
        self.reason = reason
        self.element_id = element_id
        self.element_name = element_name


class RunawayStep(StepFailed):
    """A step stopped because it went beyond a budget of `StepLimits`."""


class Budget:
    """The budget of one advance; each evaluation in it also counts its own iterations."""

    def __init__(self, limits: StepLimits) -> None:
        self.limits = limits
        self.started = time.monotonic()
        self._deadline = self.started + limits.time_seconds
        self._memory_at_start = resident_bytes()
        self._memory_cap = limits.memory_mb * 1024 * 1024
        self._checks = 0
        self.steps = 0
        self.items = 0

    def elapsed(self) -> float:
        """Seconds spent since the advance started."""
        return time.monotonic() - self.started

    def check(self) -> None:
        """Stop the step once the advance ran longer, or grew memory more, than its budget."""
        if time.monotonic() > self._deadline:
            raise RunawayStep(
                f"the step ran longer than {self.limits.time_seconds:g} s "
                "(REGLAMENT_STEP_TIME_LIMIT)"
            )
        self._checks += 1
        if self._checks % MEMORY_CHECK_EVERY == 0:
            grown = resident_bytes() - self._memory_at_start
            if grown > self._memory_cap:
                raise RunawayStep(
                    f"the step grew the process's memory by {grown // (1024 * 1024)} MB, "
                    f"more than {self.limits.memory_mb} MB (REGLAMENT_STEP_MEMORY_LIMIT)"
                )

    def charge(self, items: int = 1) -> None:
        """Count items an evaluation iterates; too many stop the step."""
        self.items += items
        if self.items > self.limits.iterations:
            raise RunawayStep(
                f"a script or expression iterated more than {self.limits.iterations} items"
            )
        self.check()

    def count_step(self, task: Any = None) -> None:
        """Count one task run by the engine (SpiffWorkflow's `did_complete_task` callback)."""
        spec = getattr(task, "task_spec", None)
        where = (getattr(spec, "bpmn_id", None), getattr(spec, "bpmn_name", None))
        self.steps += 1
        if self.steps > self.limits.engine_steps:
            raise RunawayStep(
                f"more than {self.limits.engine_steps} engine steps in one advance, "
                "a loop without a wait state (REGLAMENT_STEP_ENGINE_STEPS)",
                *where,
            )
        try:
            self.check()
        except RunawayStep as stopped:
            raise RunawayStep(stopped.reason, *where) from None


_active: ContextVar[Budget | None] = ContextVar("reglament_step_budget", default=None)


@contextlib.contextmanager
def step_budget(limits: StepLimits) -> Iterator[Budget]:
    """The budget of one advance; a nested call shares the outer one."""
    active = _active.get()
    if active is not None:
        yield active
        return
    budget = Budget(limits)
    token = _active.set(budget)
    try:
        yield budget
    finally:
        _active.reset(token)


@contextlib.contextmanager
def evaluation_budget() -> Iterator[Budget]:
    """One script or expression: inside its advance's budget, or alone with the default limits."""
    with step_budget(StepLimits()) as budget:
        budget.items = 0
        yield budget


def current_budget() -> Budget:
    """The active budget (guards run inside an evaluation; a fresh default one otherwise)."""
    return _active.get() or Budget(StepLimits())


@contextlib.contextmanager
def named_step_failures() -> Iterator[None]:
    """Turn what stopped a task inside SpiffWorkflow into a `StepFailed` naming its element."""
    try:
        yield
    except WorkflowException as error:
        raise step_failure(error) from error


def step_failure(error: WorkflowException) -> StepFailed:
    """The `StepFailed` (or `RunawayStep`) behind a SpiffWorkflow error, with the element."""
    task = getattr(error, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(error, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None)
    element_name = getattr(spec, "bpmn_name", None)
    chain = _chain(error)
    stopped = next((inner for inner in chain if isinstance(inner, StepFailed)), None)
    if stopped is not None:
        return type(stopped)(stopped.reason, element_id, element_name)
    reason = ". ".join([str(error.args[0]) if error.args else "", *getattr(error, "notes", [])])
    line = getattr(error, "line_number", None)
    if line and f"line {line}" not in reason:
        reason += f" (line {line})"
    if len(chain) > 1 and str(chain[1]) not in reason:
        reason += f": {type(chain[1]).__name__}: {chain[1]}"
    return StepFailed(reason, element_id, element_name)


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_STATM_LOCK = threading.Lock()
_statm: tuple[int, int] | None = None  # (pid, fd of /proc/self/statm), reopened after a fork


def resident_bytes() -> int:
    """The process's resident memory now (Linux), else its peak (other systems)."""
    if sys.platform.startswith("linux"):
        pages = int(os.pread(_statm_fd(), 64, 0).split()[1])
        return pages * _PAGE_SIZE
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _statm_fd() -> int:
    global _statm
    pid = os.getpid()
    with _STATM_LOCK:
        if _statm is None or _statm[0] != pid:
            if _statm is not None:
                os.close(_statm[1])  # the parent's, inherited through a fork
            _statm = (pid, os.open("/proc/self/statm", os.O_RDONLY))
        return _statm[1]
