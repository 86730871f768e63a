"""The municipality settings a version runs under: the snapshot taken at deploy."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.municipalities import Municipality, RegulationCalendar, municipality_from_raw
from engine.worktime.loader import calendar_from_raw, municipality_file
from engine.worktime.settings import CalendarConfigError


def settings_bytes(municipality: str, processes_dir: Path) -> bytes:
    """The municipality.yaml a deploy snapshots (its absence is refused by the deploy)."""
    path = municipality_file(municipality, processes_dir)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        missing = f"{path}: нет такого файла (неизвестный муниципалитет?)"
        raise CalendarConfigError(missing) from None


def settings_from_snapshot(
    municipality: str, text: str, source: str
) -> tuple[Municipality, RegulationCalendar]:
    """The settings and deadline calendar of a stored municipality.yaml."""
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise CalendarConfigError(f"{source}: не читается как YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CalendarConfigError(f"{source}: <top>: нужен словарь настроек")
    calendar = calendar_from_raw(municipality, raw, source)
    settings = municipality_from_raw(municipality, raw, Path(source))
    return settings, RegulationCalendar(calendar, settings.plain_hours)
