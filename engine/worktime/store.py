"""The calendars directory: one normalised JSON file per official year, and an audit log."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from engine.worktime.official import OfficialCalendarError, OfficialYear, from_store

YEAR_FILE = re.compile(r"^(\d{4})\.json$")
AUDIT_FILE = "audit.jsonl"


def load_directory(directory: Path) -> dict[int, OfficialYear]:
    """Every stored official year; a broken file fails loudly, naming itself."""
    if not directory.is_dir():
        return {}
    years: dict[int, OfficialYear] = {}
    for path in sorted(directory.iterdir()):
        match = YEAR_FILE.match(path.name)
        if match is None:
            continue  # README.md, audit.jsonl, a half-written .tmp
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise OfficialCalendarError(f"{path}: не прочитан: {error}") from None
        if not isinstance(raw, dict):
            raise OfficialCalendarError(f"{path}: ожидается объект JSON")
        official = from_store(raw, str(path))
        if official.year != int(match[1]):
            raise OfficialCalendarError(f"{path}: внутри календарь {official.year} года")
        years[official.year] = official
    return years


def year_path(directory: Path, year: int) -> Path:
    """Where the official calendar of `year` is stored."""
    return directory / f"{year}.json"


def save_year(directory: Path, official: OfficialYear) -> Path:
    """Store a year atomically: readers see the old file or the new one, never half of it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = year_path(directory, official.year)
    temporary = path.with_name(path.name + ".tmp")
    text = json.dumps(official.to_json(), ensure_ascii=False, indent=2) + "\n"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    _touch(directory)
    return path


def _touch(directory: Path) -> None:
    """Move the directory's mtime past any value a reader saw while the file was written."""
    # Processes notice a new year by the directory's mtime; the temporary file and the rename can
    # fall within one clock tick, so the rename alone might leave the mtime a reader already has.
    stat = os.stat(directory)
    os.utime(directory, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))


def append_audit(directory: Path, entry: dict[str, Any]) -> None:
    """One JSON line per load, appended: who loaded which file for which year, what changed."""
    with (directory / AUDIT_FILE).open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
