"""Remaining time on a task's deadline, counted the way its regulation counts it."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.deadlines import deadline_names
from engine.municipalities import Municipality, RegulationCalendar, load_municipality
from engine.municipalities import regulation_calendar as load_regulation_calendar
from engine.regulation.table import table_from_dict
from engine.regulation.terms import TermError, rule_spec
from engine.versioning.snapshot import settings_from_snapshot
from engine.worktime import Calendar, DeadlineSpecError, RemainingTime, remaining
from engine.worktime.loader import SETTINGS_FILE
from engine.worktime.remaining import whole_days
from engine.worktime.spec import DeadlineSpec, Unit

_QUOTED = re.compile(r'"([^"]+)"')
_LOCK = threading.Lock()
# Settings files are read once per process: the task list asks for them on every row.
_CALENDARS: dict[tuple[str, str], RegulationCalendar] = {}
_MUNICIPALITIES: dict[tuple[str, str], Municipality] = {}
# Per (processes folder, municipality, version hash): element id → its deadline's term.
_SPECS: dict[tuple[str, str, str], dict[str, DeadlineSpec]] = {}
DAY_UNITS = frozenset({Unit.DAY, Unit.END_OF_WORKING_DAY, Unit.END_OF_NEXT_WORKING_DAY})


def _cached(
    store: dict[tuple[str, str], Any], key: tuple[str, str], load: Callable[[], Any]
) -> Any:
    with _LOCK:
        found = store.get(key)
    if found is None:
        found = load()
        with _LOCK:
            store[key] = found
    return found


def regulation_calendar(municipality: str, processes_dir: Path) -> RegulationCalendar:
    """The municipality's deadline calendar, cached."""
    key = (str(processes_dir), municipality)
    found: RegulationCalendar = _cached(
        _CALENDARS, key, lambda: load_regulation_calendar(municipality, processes_dir)
    )
    return found


def version_calendar(
    sha256: str, municipality: str, processes_dir: Path, settings_yaml: Callable[[], str | None]
) -> RegulationCalendar:
    """The deadline calendar a version's cases run under (its settings snapshot), cached."""
    key = (str(processes_dir), f"{municipality}@{sha256}")
    found: RegulationCalendar = _cached(
        _CALENDARS, key, lambda: _snapshot_calendar(municipality, processes_dir, settings_yaml())
    )
    return found


def _snapshot_calendar(municipality: str, processes_dir: Path, text: str | None) -> Any:
    if text is None:  # deployed before snapshots: the file as it is
        return load_regulation_calendar(municipality, processes_dir)
    return settings_from_snapshot(municipality, text, f"{municipality}/{SETTINGS_FILE}")[1]


def municipality_settings(municipality: str, processes_dir: Path) -> Municipality:
    """The municipality's settings (title, zone, departments), cached."""
    key = (str(processes_dir), municipality)
    found: Municipality = _cached(
        _MUNICIPALITIES, key, lambda: load_municipality(municipality, processes_dir)
    )
    return found


def deadline_specs(
    catalog: dict[str, Any],
    municipality: str,
    processes_dir: Path,
    stored_table: dict[str, Any] | None = None,
) -> dict[str, DeadlineSpec]:
    """For each user task with a deadline timer: its term as the engine counts it."""
    reader = regulation_calendar(municipality, processes_dir)
    table = table_from_dict(stored_table)
    specs: dict[str, DeadlineSpec] = {}
    for element in catalog["elements"].values():
        timer = element.get("timer")
        if not timer or not element.get("attached_to"):
            continue
        names = [name for name in deadline_names(timer.get("expression") or "") if name in table]
        if names:  # a timer naming its row: the table says how it is counted
            with contextlib.suppress(TermError):  # deploy refused unreadable terms already
                specs[element["attached_to"]] = rule_spec(table[names[-1]], reader)
            continue
        # deadline(received_at, shortened_deadline or "5 рабочих дней"): the text is the last.
        texts = _QUOTED.findall(timer.get("expression") or "")
        if not texts:
            continue
        try:
            specs[element["attached_to"]] = reader.read(texts[-1])
        except DeadlineSpecError:
            continue
    return specs


def deadline_modes(
    catalog: dict[str, Any],
    municipality: str,
    processes_dir: Path,
    stored_table: dict[str, Any] | None = None,
) -> dict[str, bool]:
    """For each user task with a deadline timer: whether its deadline is in working time."""
    specs = deadline_specs(catalog, municipality, processes_dir, stored_table)
    return {element_id: spec.working for element_id, spec in specs.items()}


def cached_specs(
    sha256: str,
    municipality: str,
    processes_dir: Path,
    load_version: Callable[[], tuple[dict[str, Any], dict[str, Any] | None]],
) -> dict[str, DeadlineSpec]:
    """`deadline_specs` of a version, cached by its hash (versions never change)."""
    key = (str(processes_dir), municipality, sha256)
    with _LOCK:
        found = _SPECS.get(key)
    if found is None:
        catalog, table = load_version()
        found = deadline_specs(catalog, municipality, processes_dir, table)
        with _LOCK:
            _SPECS[key] = found
    return found


def cached_modes(
    sha256: str,
    municipality: str,
    processes_dir: Path,
    load_version: Callable[[], tuple[dict[str, Any], dict[str, Any] | None]],
) -> dict[str, bool]:
    """`deadline_modes` of a version, cached by its hash (versions never change)."""
    specs = cached_specs(sha256, municipality, processes_dir, load_version)
    return {element_id: spec.working for element_id, spec in specs.items()}


def counts_days(spec: DeadlineSpec | None) -> bool:
    """Whether a term is counted in days (staff then read the time left in days too)."""
    return spec is not None and spec.unit in DAY_UNITS


def time_left(
    municipality: str,
    processes_dir: Path,
    started_at: datetime,
    due_at: datetime | None,
    now: datetime,
    working: bool = True,
    reader: RegulationCalendar | None = None,
    in_days: bool = False,
) -> RemainingTime | None:
    """What is left of a deadline (negative once overdue), or None; in days for a day term."""
    if due_at is None:
        return None
    calendar = (reader or regulation_calendar(municipality, processes_dir)).calendar
    return left_on(calendar, started_at, due_at, now, working=working, in_days=in_days)


def left_on(
    calendar: Calendar,
    started_at: datetime,
    due_at: datetime,
    now: datetime,
    *,
    working: bool,
    in_days: bool,
) -> RemainingTime:
    """What is left of a deadline on a calendar, with whole days for a day term."""
    left = remaining(calendar, min(started_at, due_at), due_at, now, working=working)
    days = whole_days(calendar, now, due_at, working=working) if in_days else None
    return replace(left, days=days, due_at=due_at, working=working)


def clear_caches() -> None:
    """Forget cached settings (tests, or after editing a municipality.yaml)."""
    with _LOCK:
        _CALENDARS.clear()
        _MUNICIPALITIES.clear()
        _SPECS.clear()
