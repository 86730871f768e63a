"""Load a municipality's calendar from processes/<name>/municipality.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from engine.worktime.calendar import Calendar
from engine.worktime.settings import CalendarConfigError, parse_settings

SETTINGS_FILE = "municipality.yaml"
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_CACHE: dict[tuple[Path, str], Calendar] = {}


def municipality_file(municipality: str, processes_dir: Path) -> Path:
    """The path of a municipality's settings file (the name must be a plain folder name)."""
    if not _NAME.match(municipality):
        raise CalendarConfigError(
            f"{municipality!r}: муниципалитет называется по имени папки, например 'perm' "
            "(a-z, 0-9, _-)"
        )
    return Path(processes_dir) / municipality / SETTINGS_FILE


def read_municipality(municipality: str, processes_dir: Path) -> dict[str, Any]:
    """The raw mapping of municipality.yaml, with a clear error if missing or not YAML."""
    path = municipality_file(municipality, processes_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarConfigError(
            f"{path}: нет такого файла (неизвестный муниципалитет?)"
        ) from None
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError on 2025-13-01
        raise CalendarConfigError(f"{path}: не читается как YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CalendarConfigError(f"{path}: <top>: нужен словарь настроек")
    return raw


def load_calendar(municipality: str, processes_dir: Path) -> Calendar:
    """The validated Calendar of a municipality, cached by (directory, name)."""
    key = (Path(processes_dir).resolve(), municipality)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    path = municipality_file(municipality, processes_dir)
    raw = read_municipality(municipality, processes_dir)
    calendar = calendar_from_raw(municipality, raw, str(path))
    _CACHE[key] = calendar
    return calendar


def calendar_from_raw(municipality: str, raw: dict[str, Any], source: str) -> Calendar:
    """The validated Calendar of a municipality.yaml mapping (a file, or a version's snapshot)."""
    settings = parse_settings(raw, source)
    for field in ("name", "title"):
        if not raw.get(field):
            raise CalendarConfigError(f"{source}: {field}: не указан")
    if settings.name != municipality:
        raise CalendarConfigError(
            f"{source}: name: {settings.name!r} не совпадает с именем папки {municipality!r}"
        )
    return Calendar(settings)


def clear_cache() -> None:
    """Forget loaded calendars (tests, or after editing a municipality.yaml)."""
    _CACHE.clear()
