"""Reading and validating scenario files (YAML beside each process version)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

SCENARIO_SUFFIX = ".scenario.yaml"
STEP_ACTIONS = (
    "complete",
    "message",
    "expect_task",
    "expect_no_task",
    "expect_violation",
    "expect_completed",
    "expect_status",
    "expect_data",
    "expect_notice",
    "expect_deadline",
    "tick",
)
OFFSET = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class ScenarioFormatError(ValueError):
    """A scenario file that cannot be read, naming the file and the step."""


@dataclass
class Scenario:
    """One scenario: where it starts, the message, and its steps."""

    path: Path
    name: str
    bpmn: Path
    municipality: str
    start: datetime
    message: dict[str, Any]
    steps: list[dict[str, Any]]
    covers: list[str]


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


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScenarioFormatError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ScenarioFormatError(f"{path}: expected a mapping at the top")
    version_dir = path.parent
    bpmn = version_dir / raw.get("bpmn", _only_bpmn(version_dir))
    start = _aware(raw.get("start"), path, "start")
    steps = raw.get("steps") or []
    for number, step in enumerate(steps, 1):
        _check_step(step, path, number)
    return Scenario(
        path=path,
        name=str(raw.get("name") or path.name),
        bpmn=bpmn,
        municipality=str(raw.get("municipality") or version_dir.parent.name),
        start=start,
        message=dict(raw.get("message") or {}),
        steps=steps,
        covers=[str(clause) for clause in raw.get("covers") or []],
    )


def _only_bpmn(folder: Path) -> str:
    files = sorted(folder.glob("*.bpmn"))
    if len(files) != 1:
        raise ScenarioFormatError(f"{folder}: name the BPMN file with `bpmn:` ({len(files)} found)")
    return files[0].name


def _aware(value: Any, path: Path, key: str) -> datetime:
    moment = value if isinstance(value, datetime) else _parse_iso(value, path, key)
    if moment.tzinfo is None:
        raise ScenarioFormatError(f"{path}: {key} must carry a UTC offset, got {value!r}")
    return moment


def _parse_iso(value: Any, path: Path, key: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as error:
        raise ScenarioFormatError(f"{path}: {key} is not an ISO datetime: {value!r}") from error


def _check_step(step: Any, path: Path, number: int) -> None:
    if not isinstance(step, dict):
        raise ScenarioFormatError(f"{path}: step {number} must be a mapping")
    actions = [key for key in step if key in STEP_ACTIONS]
    unknown = set(step) - set(STEP_ACTIONS) - {"at", "as", "data", "department", "note"}
    if unknown:
        raise ScenarioFormatError(f"{path}: step {number}: unknown keys {sorted(unknown)}")
    if len(actions) > 1:
        raise ScenarioFormatError(f"{path}: step {number}: one action per step, got {actions}")
    if not actions and "at" not in step:
        raise ScenarioFormatError(f"{path}: step {number}: nothing to do")


def resolve_at(value: Any, start: datetime, path: Path) -> datetime:
    """`at:` as an offset from the scenario start (+1d2h30m) or an aware moment."""
    if isinstance(value, str) and value.startswith("+"):
        match = OFFSET.match(value.replace(" ", ""))
        if not match or not any(match.groups()):
            raise ScenarioFormatError(f"{path}: offset {value!r}: use +1d, +2h, +30m, +1d2h30m")
        days, hours, minutes = (int(group or 0) for group in match.groups())
        return start + timedelta(days=days, hours=hours, minutes=minutes)
    return _aware(value, path, "at")
