"""One machine-readable report of a benchmark run: every figure with its goal, load and settings."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Goal:
    """A target a figure should meet: at most (or at least) `limit`."""

    limit: float
    at_most: bool = True

    def met(self, value: float) -> bool:
        """Whether the value meets the goal."""
        return value <= self.limit if self.at_most else value >= self.limit

    def text(self) -> str:
        """The goal as printed beside the figure."""
        return f"{'≤' if self.at_most else '≥'} {self.limit:g}"


@dataclass
class Figure:
    """One measured figure."""

    suite: str
    name: str
    value: float
    unit: str
    goal: Goal | None = None
    note: str = ""
    run_by: str = ""  # the suite that measured it (the steps suite adds engine figures)


@dataclass
class Report:
    """Every figure of a run, with the settings the suites ran with."""

    quick: bool = False
    figures: list[Figure] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)
    ran: list[str] = field(default_factory=list)  # the suites run, in order

    def begin(self, suite: str) -> None:
        """The suite whose figures follow."""
        self.ran.append(suite)

    def add(
        self,
        suite: str,
        name: str,
        value: float,
        unit: str,
        goal: Goal | None = None,
        note: str = "",
    ) -> None:
        """Record one figure."""
        run_by = self.ran[-1] if self.ran else suite
        self.figures.append(Figure(suite, name, value, unit, goal, note, run_by))

    def setting(self, suite: str, **values: Any) -> None:
        """Record the sizes a suite ran with."""
        self.settings.setdefault(suite, {}).update(values)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "load_average": {"before": self.load_before, "after": os.getloadavg()},
            "quick": self.quick,
            "settings": self.settings,
            "figures": [_figure_json(figure) for figure in self.figures],
        }

    def write(self, path: Path, *, merge: bool = False) -> None:
        """Write the report as JSON; `merge` keeps the suites of `path` this run did not run."""
        report = self.as_json()
        report["suites_at"] = {suite: report["at"] for suite in self.ran}
        if merge and path.exists():
            report = merged(json.loads(path.read_text(encoding="utf-8")), report)
        text = json.dumps(report, ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")

    def print_table(self) -> None:
        """Every figure with its goal, as one table."""
        print("### summary (goals from issue 16)")
        for figure in self.figures:
            goal = figure.goal.text() if figure.goal else ""
            verdict = (
                "" if figure.goal is None else ("ok" if figure.goal.met(figure.value) else "✗")
            )
            label = f"{figure.suite}: {figure.name}"
            digits = 0 if abs(figure.value) >= 1000 else 2
            value = f"{figure.value:,.{digits}f} {figure.unit}".strip()
            print(f"  {label:<72}{value:>14}  {goal:<8}{verdict:<3}{figure.note}".rstrip())
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"  machine: {machine()['summary']}; load average now {load}")


def merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """`later`'s suites replace what `earlier`'s same suites measured; the rest is kept."""
    ran = set(later["suites_at"])
    kept = [f for f in earlier["figures"] if (f.get("run_by") or f["suite"]) not in ran]
    settings = {name: dict(values) for name, values in earlier["settings"].items()}
    for name, values in later["settings"].items():
        settings.setdefault(name, {}).update(values)
    old_at = earlier.get("suites_at") or dict.fromkeys(earlier["settings"], earlier.get("at"))
    return {
        **later,
        "settings": settings,
        "suites_at": {**{k: v for k, v in old_at.items() if k not in ran}, **later["suites_at"]},
        "figures": kept + later["figures"],
    }


def _figure_json(figure: Figure) -> dict[str, Any]:
    data = asdict(figure)
    if figure.goal is not None:
        data["goal"] = {"text": figure.goal.text(), "met": figure.goal.met(figure.value)}
    return data


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cores = os.cpu_count()
    node = platform.node()
    return {
        "node": node,
        "cores": cores,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "reference_loop_ms": reference_loop_ms(),
        "summary": (
            f"{node}, {cores} cores, Python {sys.version.split()[0]}; "
            f"pure-Python reference loop {reference_loop_ms():.0f} ms"
        ),
    }


@cache
def reference_loop_ms() -> float:
    """The best of three runs of a fixed pure-Python loop: how fast this machine is today.

    The same virtual machine has run the same code two and a half times slower on one day than
    on another; absolute figures (a month's simulation in seconds) are read against this one.
    """
    best = float("inf")
    for _run in range(3):
        began = time.perf_counter()
        total = 0
        for number in range(REFERENCE_LOOP):
            total += number
        best = min(best, time.perf_counter() - began)
    return best * 1000


REFERENCE_LOOP = 2_000_000


REPORT = Report()
