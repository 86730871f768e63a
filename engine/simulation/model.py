"""The inputs of a simulation: the rate profile of the stream and the staffing model, from YAML."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROFILE_FILE, STAFF_FILE = "profile.yaml", "staff.yaml"
SIMULATION_DIR = "simulation"


class SimulationInputError(ValueError):
    """A profile or staffing file the simulation cannot use; the message names the field."""


@dataclass(frozen=True)
class Duration:
    """Time to complete a step: a log-normal distribution by its median and 90th percentile."""

    median_minutes: float
    p90_minutes: float

    def sample(self, rng: Any) -> float:
        """Minutes of work, drawn from the distribution."""
        if self.p90_minutes <= self.median_minutes:
            return self.median_minutes
        sigma = math.log(self.p90_minutes / self.median_minutes) / 1.2815515655446004
        return float(rng.lognormvariate(math.log(self.median_minutes), sigma))


@dataclass(frozen=True)
class Profile:
    """A generated stream: messages per day, shares per weekday, hour, source and channel."""

    per_day: float
    weekdays: tuple[float, ...]
    hours: tuple[float, ...]
    sources: dict[str, float]
    channels: dict[str, float]
    official_page: float = 0.5
    repeat_share: float = 0.0
    obscene_share: float = 0.0
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pool:
    """How many people of a role (in a department, or any) take its tasks."""

    role: str | None
    department: str | None
    people: int


@dataclass(frozen=True)
class Staff:
    """People per role and department, their hours, step durations, decision probabilities."""

    roles: dict[str, int]
    departments: dict[str, dict[str, int]]  # a role listed here has a pool per department
    working_hours: bool
    steps: dict[str, Duration]
    default_step: Duration
    decisions: dict[str, dict[str, float]]
    route_departments: dict[str, float]

    def people(self, role: str | None, department: str | None) -> int:
        """People in the pool of a role and department (one if the model names none)."""
        if role and department and department in self.departments.get(role, {}):
            return self.departments[role][department]
        return self.roles.get(role or "", 1)

    def duration(self, element_id: str) -> Duration:
        """The step's time-to-complete, or the model's default."""
        return self.steps.get(element_id, self.default_step)


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or SimulationInputError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SimulationInputError(f"{path}: не читается: {error}") from error
    if not isinstance(data, dict):
        raise SimulationInputError(f"{path}: ожидается словарь полей")
    return data


def load_profile(path: Path) -> Profile:
    """Read a rate profile (docs/simulation.md)."""
    raw = read_yaml(path)
    return Profile(
        per_day=_number(raw, "per_day", path),
        weekdays=_weights(raw.get("weekdays", [1] * 7), 7, "weekdays", path),
        hours=_weights(raw.get("hours", [1] * 24), 24, "hours", path),
        sources=_shares(raw.get("sources"), "sources", path),
        channels=_shares(raw.get("channels") or {"feed": 1}, "channels", path),
        official_page=_share(raw, "official_page", path, 0.5),
        repeat_share=_share(raw, "repeat_share", path, 0.0),
        obscene_share=_share(raw, "obscene_share", path, 0.0),
        payload=dict(raw.get("payload") or {}),
    )


def load_staff(path: Path) -> Staff:
    """Read a staffing model (docs/simulation.md)."""
    raw = read_yaml(path)
    roles: dict[str, int] = {}
    departments: dict[str, dict[str, int]] = {}
    for role, entry in (raw.get("roles") or {}).items():
        if isinstance(entry, int):
            roles[str(role)] = _positive(entry, f"roles.{role}", path)
            continue
        if not isinstance(entry, Mapping):
            raise SimulationInputError(f"{path}: roles.{role}: число людей или people/departments")
        roles[str(role)] = _positive(entry.get("people", 1), f"roles.{role}.people", path)
        if entry.get("departments") is not None or entry.get("per_department"):
            departments[str(role)] = {
                str(dept): _positive(count, f"roles.{role}.departments.{dept}", path)
                for dept, count in (entry.get("departments") or {}).items()
            }
    steps = {
        str(name): _duration(entry, f"steps.{name}", path)
        for name, entry in (raw.get("steps") or {}).items()
        if name != "default"
    }
    default = (raw.get("steps") or {}).get("default", {"median": 30, "p90": 90})
    hours = raw.get("hours", "calendar")
    if hours not in ("calendar", "always"):
        raise SimulationInputError(f"{path}: hours: calendar или always, а не «{hours}»")
    return Staff(
        roles=roles,
        departments=departments,
        working_hours=hours == "calendar",
        steps=steps,
        default_step=_duration(default, "steps.default", path),
        decisions={
            str(name): _shares(entry, f"decisions.{name}", path)
            for name, entry in (raw.get("decisions") or {}).items()
        },
        route_departments=_shares(raw.get("route_departments") or {}, "route_departments", path)
        if raw.get("route_departments")
        else {},
    )


def _duration(entry: Any, where: str, path: Path) -> Duration:
    if not isinstance(entry, Mapping) or "median" not in entry:
        raise SimulationInputError(f"{path}: {where}: нужны median и p90 в минутах")
    median = _number(entry, "median", path, where)
    return Duration(median, float(entry.get("p90", median)))


def _number(raw: Mapping[str, Any], name: str, path: Path, where: str = "") -> float:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        place = f"{where}.{name}" if where else name
        raise SimulationInputError(f"{path}: {place}: положительное число, а не «{value}»")
    return float(value)


def _positive(value: Any, where: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SimulationInputError(f"{path}: {where}: целое число людей не меньше 1")
    return value


def _share(raw: Mapping[str, Any], name: str, path: Path, default: float) -> float:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SimulationInputError(f"{path}: {name}: доля от 0 до 1, а не «{value}»")
    return float(value)


def _weights(value: Any, size: int, name: str, path: Path) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != size:
        raise SimulationInputError(f"{path}: {name}: список из {size} весов")
    if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in value):
        raise SimulationInputError(f"{path}: {name}: веса — неотрицательные числа")
    return tuple(float(v) for v in value)


def _shares(value: Any, name: str, path: Path) -> dict[str, float]:
    if not isinstance(value, Mapping) or not value:
        raise SimulationInputError(f"{path}: {name}: словарь «значение: доля»")
    shares = {}
    for key, share in value.items():
        if isinstance(share, bool) or not isinstance(share, int | float) or share < 0:
            raise SimulationInputError(f"{path}: {name}.{key}: неотрицательная доля")
        shares[str(key)] = float(share)
    if sum(shares.values()) <= 0:
        raise SimulationInputError(f"{path}: {name}: сумма долей должна быть больше нуля")
    return shares
