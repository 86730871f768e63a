"""A municipality's settings beyond its calendar: departments, message sources, deadlines."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.municipality_schema import read_settings
from engine.roles import DEFAULT_REGISTRY, RoleRegistry, extended
from engine.worktime import Calendar, DeadlineSpec, Unit, load_calendar, parse_deadline
from engine.worktime.loader import municipality_file
from engine.worktime.settings import CalendarConfigError

PLAIN_HOURS = ("calendar", "working")
# The sources a municipality takes messages from unless its municipality.yaml lists `sources:`
# (the web UI labels these; monitoring systems and manual monitoring included).
DEFAULT_SOURCES = (
    "vk",
    "ok",
    "telegram",
    "max",
    "incident_manager",
    "feedback_platform",
    "manual",
)


@dataclass(frozen=True)
class Department:
    """A structural unit that drafts answers (an executor)."""

    id: str
    name: str


@dataclass(frozen=True)
class Municipality:
    """The settings in processes/<name>/municipality.yaml."""

    name: str
    title: str
    timezone: str
    departments: tuple[Department, ...]
    sources: tuple[str, ...]
    plain_hours: str
    roles: RoleRegistry = DEFAULT_REGISTRY


def is_known(name: str, processes_dir: Path) -> bool:
    """Whether a municipality has its folder with municipality.yaml in the processes folder."""
    try:
        return municipality_file(name, processes_dir).is_file()
    except CalendarConfigError:  # not even a folder name
        return False


def load_municipality(name: str, processes_dir: Path) -> Municipality:
    """Read and validate a municipality's settings (the calendar section is checked too)."""
    raw = read_settings(name, processes_dir)  # the schema first: its errors are Russian
    load_calendar(name, processes_dir)
    return municipality_from_raw(name, raw, municipality_file(name, processes_dir))


def municipality_from_raw(name: str, raw: dict[str, Any], path: Path) -> Municipality:
    """A municipality's settings from its validated municipality.yaml mapping (file or snapshot)."""
    deadlines = raw.get("deadlines") or {}
    listed = raw.get("sources")
    return Municipality(
        name=name,
        title=str(raw["title"]),
        timezone=str(raw["timezone"]),
        departments=tuple(
            Department(id=item["id"], name=item["name"]) for item in raw.get("departments") or ()
        ),
        sources=DEFAULT_SOURCES if listed is None else tuple(listed),
        plain_hours=deadlines.get("plain_hours", "calendar"),
        roles=extended(raw.get("roles") or ()),
    )


class RegulationCalendar:
    """The calendar as a regulation reads deadlines: plain hours may mean working hours."""

    def __init__(self, calendar: Calendar, plain_hours: str = "calendar") -> None:
        self.calendar = calendar
        self.plain_hours = plain_hours

    def read(self, spec: str | DeadlineSpec) -> DeadlineSpec:
        """The deadline as this regulation means it (Chaykovsky's «2 часа» are working hours)."""
        parsed = parse_deadline(spec) if isinstance(spec, str) else spec
        if self.plain_hours == "working" and _is_plain_clock_time(parsed):
            return replace(parsed, working=True)
        return parsed

    def due(self, start: datetime, spec: str | DeadlineSpec) -> datetime:
        """The due moment of `spec` counted from `start`."""
        return self.calendar.due(start, self.read(spec))


def _is_plain_clock_time(spec: DeadlineSpec) -> bool:
    text = spec.text.lower()
    explicit = "календарн" in text or text.strip().startswith("p")
    return not spec.working and spec.unit in (Unit.MINUTE, Unit.HOUR) and not explicit


def regulation_calendar(name: str, processes_dir: Path) -> RegulationCalendar:
    """The deadline calendar a municipality's diagrams use."""
    settings = load_municipality(name, processes_dir)
    return RegulationCalendar(load_calendar(name, processes_dir), settings.plain_hours)
