"""Which task's expression or script is running: diagram functions read it (no dependencies)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_TASK: ContextVar[Any] = ContextVar("reglament_evaluating_task", default=None)


@contextlib.contextmanager
def evaluating_task(task: Any) -> Iterator[None]:
    """Let diagram functions know which task's expression or script is running."""
    token = _TASK.set(task)
    try:
        yield
    finally:
        _TASK.reset(token)


def current_task() -> Any:
    """The SpiffWorkflow task whose expression or script is running, if any."""
    return _TASK.get()
