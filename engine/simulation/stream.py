"""The message stream: generated from a rate profile, or read from a CSV or JSON file."""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from engine.simulation.model import Profile, SimulationInputError

OBSCENE_TEXT = "(сообщение с нецензурной бранью)"
TEXTS = (
    "Во дворе дома 12 яма на дороге, когда заделают?",
    "Не вывозят мусор с контейнерной площадки третий день.",
    "Почему автобус не ходит по расписанию?",
    "На улице не горят фонари, темно и опасно.",
    "Когда уберут снег на остановке?",
)


@dataclass(frozen=True)
class Arrival:
    """One incoming message at its moment; `obscene` asks the screening to refuse it."""

    at: datetime
    incoming: dict[str, Any]
    obscene: bool = False


def generate(profile: Profile, start: datetime, days: int, zone: str, seed: int) -> list[Arrival]:
    """Poisson arrivals per hour of the local day, shares of sources, channels, repeats."""
    rng = random.Random(f"stream:{seed}")
    local = ZoneInfo(zone)
    hour_total = sum(profile.hours) or 1.0
    arrivals: list[Arrival] = []
    number = 0
    for hour in range(days * 24):
        moment = (start + timedelta(hours=hour)).astimezone(local)
        rate = (
            profile.per_day * profile.weekdays[moment.weekday()] * profile.hours[moment.hour]
        ) / hour_total
        for _ in range(_poisson(rng, rate)):
            number += 1
            at = start + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            arrivals.append(_arrival(profile, rng, at, number))
    arrivals.extend(_repeats(profile, rng, arrivals, start + timedelta(days=days)))
    return sorted(arrivals, key=lambda item: (item.at, item.incoming["external_id"]))


def _arrival(profile: Profile, rng: random.Random, at: datetime, number: int) -> Arrival:
    obscene = rng.random() < profile.obscene_share
    incoming = {
        "source": _pick(rng, profile.sources),
        "channel": _pick(rng, profile.channels),
        "official_page": rng.random() < profile.official_page,
        "external_id": f"sim-{number}",
        "thread_id": f"sim-thread-{number}",
        "author": f"Автор {number}",
        "author_id": f"sim-author-{number}",
        "text": OBSCENE_TEXT if obscene else TEXTS[number % len(TEXTS)],
        "payload": dict(profile.payload),
    }
    return Arrival(at, incoming, obscene)


def _repeats(
    profile: Profile, rng: random.Random, arrivals: list[Arrival], end: datetime
) -> list[Arrival]:
    """The same author writes again in the same thread a few hours later."""
    found = []
    for arrival in arrivals:
        if rng.random() >= profile.repeat_share:
            continue
        at = arrival.at + timedelta(hours=rng.expovariate(1 / 3))
        if at < end:
            incoming = {**arrival.incoming, "external_id": f"{arrival.incoming['external_id']}-r"}
            incoming["text"] = "Ответа до сих пор нет, напоминаю о своём сообщении."
            found.append(Arrival(at, incoming))
    return found


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: the rates per hour are small."""
    if rate <= 0:
        return 0
    limit, product, count = math.exp(-rate), rng.random(), 0
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    names = sorted(shares)
    return rng.choices(names, weights=[shares[name] for name in names])[0]


def read_messages(path: Path) -> list[Arrival]:
    """Messages in the intake schema with `received_at`, as a JSON list or a CSV with a header."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SimulationInputError(f"{path}: не читается: {error}") from error
    rows: list[dict[str, Any]]
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as error:
            raise SimulationInputError(f"{path}: не JSON: {error}") from error
        if not isinstance(rows, list):
            raise SimulationInputError(f"{path}: ожидается список сообщений")
    return sorted(
        (_read(row, number, path) for number, row in enumerate(rows, 1)),
        key=lambda item: item.at,
    )


def _read(row: Any, number: int, path: Path) -> Arrival:
    if not isinstance(row, dict) or not row.get("received_at"):
        raise SimulationInputError(f"{path}: сообщение {number}: нет поля received_at")
    try:
        at = datetime.fromisoformat(str(row["received_at"]))
    except ValueError as error:
        raise SimulationInputError(f"{path}: сообщение {number}: received_at не дата") from error
    if at.tzinfo is None:
        raise SimulationInputError(f"{path}: сообщение {number}: received_at без часового пояса")
    incoming = {key: value for key, value in row.items() if value not in (None, "")}
    incoming.pop("municipality", None)
    incoming.pop("received_at")
    incoming.pop("obscene", None)
    incoming.setdefault("external_id", f"file-{number}")
    incoming.setdefault("author", "Автор")
    incoming.setdefault("author_id", f"file-author-{number}")
    if isinstance(incoming.get("official_page"), str):
        incoming["official_page"] = incoming["official_page"].lower() in ("1", "true", "да")
    return Arrival(at, incoming, bool(row.get("obscene")))
