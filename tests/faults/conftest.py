"""The fault suite: hostile and unlucky runs whose figures are printed at the end of pytest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

_FIGURES: list[tuple[str, str, Any]] = []


@pytest.fixture
def report_figure(request: pytest.FixtureRequest) -> Callable[[str, Any], None]:
    """Record a figure (cases, kills, rounds...) to print in the terminal summary."""

    def record(name: str, value: Any) -> None:
        _FIGURES.append((request.node.name, name, value))

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print every figure the fault tests recorded."""
    if not _FIGURES:
        return
    terminalreporter.section("fault suite figures")
    for test, name, value in _FIGURES:
        terminalreporter.write_line(f"{test}: {name} = {value}")
