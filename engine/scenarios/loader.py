"""Reading and validating scenario files (YAML beside each process version)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from engine.municipalities import load_municipality
from engine.scenarios.actions import message_fields
from engine.scenarios.keys import ACTIONS, EXPECTATIONS
from engine.scenarios.readable import moment_text, shown
from engine.scenarios.refusals import REFUSED, REFUSED_KEY
from engine.scenarios.shapes import Read, ShapeError
from engine.worktime.settings import CalendarConfigError

SCENARIO_SUFFIX = ".scenario.yaml"
TOP_KEYS = ("name", "start", "bpmn", "municipality", "message", "duty", "steps")
STEP_EXTRAS = ("at", "note")
OFFSET = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class ScenarioFormatError(ValueError):
    """A scenario file that cannot be read, naming the file and the step."""


@dataclass
class Scenario:
    """One scenario: where it starts, the message, and its steps (values already checked)."""

    path: Path
    name: str
    bpmn: Path
    municipality: str
    start: datetime
    message: dict[str, Any]
    steps: list[dict[str, Any]]
    processes_dir: Path
    zone: tzinfo
    # A scheduled duty's process id: no message starts the run, the worker starts the case.
    duty: str | None = None


def find_scenarios(paths: list[Path]) -> list[Path]:
    """Scenario files under the given files or folders, sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(path.rglob(f"*{SCENARIO_SUFFIX}"))
        elif path.name.endswith(SCENARIO_SUFFIX):
            found.add(path)
        else:
            raise ScenarioFormatError(f"{path}: not a folder or a *{SCENARIO_SUFFIX} file")
    return sorted(found)


def processes_dir_of(path: Path) -> Path:
    """processes/<municipality>/<version>/x.scenario.yaml → processes/."""
    return path.resolve().parent.parent.parent


def load_scenario(path: Path, processes_dir: Path | None = None) -> Scenario:
    """Read and check a scenario file; municipalities are looked up in `processes_dir`."""
    raw = _read_yaml(path)
    unknown = sorted(set(raw) - set(TOP_KEYS))
    if unknown:
        raise ScenarioFormatError(f"{path}: unknown keys {unknown}; known: {', '.join(TOP_KEYS)}")
    processes_dir = processes_dir or processes_dir_of(path)
    version_dir = path.parent
    bpmn = version_dir / str(raw["bpmn"] if "bpmn" in raw else _only_bpmn(version_dir))
    if not bpmn.is_file():
        raise ScenarioFormatError(f"{path}: bpmn: no such file {bpmn}")
    municipality = str(raw.get("municipality") or version_dir.parent.name)
    zone = _zone(municipality, processes_dir, path)
    start = _aware(raw.get("start"), path, "start")
    steps = raw.get("steps") or []
    if not isinstance(steps, list):
        raise ScenarioFormatError(f"{path}: steps: expected a list of steps")
    read = [_read_step(step, path, number, start) for number, step in enumerate(steps, 1)]
    _check_clock_moves_forward(read, start, path, zone)
    return Scenario(
        path=path,
        name=str(raw.get("name") or path.name),
        bpmn=bpmn,
        municipality=municipality,
        start=start,
        message=_read_value(message_fields, raw.get("message"), f"{path}: message"),
        steps=read,
        processes_dir=processes_dir,
        zone=zone,
        duty=_duty(raw, path),
    )


def _duty(raw: dict[str, Any], path: Path) -> str | None:
    """`duty: <process id>`: the case under test is the duty's first occurrence, no message."""
    if raw.get("duty") is None:
        return None
    if "message" in raw:
        raise ScenarioFormatError(f"{path}: a duty scenario has no message (duty and message)")
    return str(raw["duty"])


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as error:  # PyYAML raises ValueError on 2026-13-01
        said = " ".join(str(error).split())  # PyYAML's message spans lines; the run prints one
        raise ScenarioFormatError(f"{path}: not valid YAML: {said}") from error
    if not isinstance(raw, dict):
        raise ScenarioFormatError(f"{path}: expected a mapping at the top")
    return raw


def _only_bpmn(folder: Path) -> str:
    files = sorted(folder.glob("*.bpmn"))
    if len(files) != 1:
        raise ScenarioFormatError(f"{folder}: name the BPMN file with `bpmn:` ({len(files)} found)")
    return files[0].name


def _zone(municipality: str, processes_dir: Path, path: Path) -> tzinfo:
    try:
        return ZoneInfo(load_municipality(municipality, processes_dir).timezone)
    except CalendarConfigError as error:
        raise ScenarioFormatError(f"{path}: municipality {municipality}: {error}") from error


def _aware(value: Any, path: Path | str, key: str) -> datetime:
    moment = value if isinstance(value, datetime) else _parse_iso(value, path, key)
    if moment.tzinfo is None:
        raise ScenarioFormatError(f"{path}: {key} must carry a UTC offset, got {shown(value)}")
    return moment


def _parse_iso(value: Any, path: Path | str, key: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as error:
        raise ScenarioFormatError(
            f"{path}: {key} is not an ISO datetime: {shown(value)}"
        ) from error


def _read_value(read: Read, value: Any, where: str) -> Any:
    try:
        return read(value)
    except ShapeError as error:
        raise ScenarioFormatError(f"{where}: {error}") from error


def _readers_of(step: dict[str, Any], where: str) -> dict[str, Read]:
    """The reader of each key this step may carry: its action's companions, or nothing else."""
    acts = [key for key in step if key in ACTIONS or key in EXPECTATIONS]
    if len(acts) > 1:
        raise ScenarioFormatError(f"{where}: one action or expectation per step, got {acts}")
    readers: dict[str, Read] = {name: EXPECTATIONS[name].read for name in EXPECTATIONS}
    readers |= {name: ACTIONS[name].read for name in ACTIONS}
    readers |= {"at": lambda value: value, "note": str}
    if acts and acts[0] in ACTIONS:
        act = ACTIONS[acts[0]]
        readers |= dict(act.companions)
        if act.refusable:
            readers[REFUSED_KEY] = REFUSED
    unknown = sorted(set(step) - set(readers))
    if unknown:
        raise ScenarioFormatError(
            f"{where}: unknown keys {unknown}" + (f" with {acts[0]}" if acts else "")
        )
    if not acts and "at" not in step:
        raise ScenarioFormatError(f"{where}: nothing to do")
    return readers


def _read_step(step: Any, path: Path, number: int, start: datetime) -> dict[str, Any]:
    where = f"{path}: step {number}"
    if not isinstance(step, dict):
        raise ScenarioFormatError(f"{where} must be a mapping")
    readers = _readers_of(step, where)
    read = {key: _read_value(readers[key], value, f"{where}: {key}") for key, value in step.items()}
    if "at" in read:
        read["at"] = resolve_at(read["at"], start, where)
    return read


def _check_clock_moves_forward(
    steps: list[dict[str, Any]], start: datetime, path: Path, zone: tzinfo
) -> None:
    latest = start
    for number, step in enumerate(steps, 1):
        if "at" not in step:
            continue
        if step["at"] < latest:
            raise ScenarioFormatError(
                f"{path}: step {number}: at {moment_text(step['at'], zone)} is before "
                f"{moment_text(latest, zone)}; the virtual clock never moves back"
            )
        latest = step["at"]


def resolve_at(value: Any, start: datetime, where: Path | str) -> datetime:
    """`at:` as an offset from the scenario start (+1d2h30m) or an aware moment."""
    if isinstance(value, str) and value.startswith("+"):
        match = OFFSET.match(value.replace(" ", ""))
        if not match or not any(match.groups()):
            raise ScenarioFormatError(
                f"{where}: offset {shown(value)}: use +1d, +2h, +30m, +1d2h30m"
            )
        days, hours, minutes = (int(group or 0) for group in match.groups())
        return start + timedelta(days=days, hours=hours, minutes=minutes)
    return _aware(value, where, "at")
