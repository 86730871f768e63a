"""Municipality settings and how a regulation reads its deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.municipalities import DEFAULT_SOURCES, RegulationCalendar, is_known, load_municipality
from engine.worktime import load_calendar
from engine.worktime.settings import CalendarConfigError
from tests.conftest import PROCESSES

YEKT = timezone(timedelta(hours=5))
FRIDAY_EVENING = datetime(2026, 3, 13, 17, 30, tzinfo=YEKT)


def test_plain_hours_as_working_hours_when_the_regulation_says_so() -> None:
    calendar = load_calendar("perm", PROCESSES)
    working = RegulationCalendar(calendar, "working")
    plain = RegulationCalendar(calendar, "calendar")
    assert plain.due(FRIDAY_EVENING, "2 часа") == FRIDAY_EVENING + timedelta(hours=2)
    # 30 minutes on Friday, then Monday 09:00–10:30.
    assert working.due(FRIDAY_EVENING, "2 часа") == datetime(2026, 3, 16, 10, 30, tzinfo=YEKT)
    # Explicit calendar time stays calendar time whatever the setting.
    assert working.due(FRIDAY_EVENING, "PT2H") == FRIDAY_EVENING + timedelta(hours=2)
    assert working.due(FRIDAY_EVENING, "8 календарных дней") == plain.due(
        FRIDAY_EVENING, "8 календарных дней"
    )


def test_settings_are_validated(tmp_path: Path) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    base = (PROCESSES / "example" / "municipality.yaml").read_text(encoding="utf-8")
    base = base.replace("name: example", "name: town")
    (folder / "municipality.yaml").write_text(
        base + "\ndeadlines: {plain_hours: sometimes}\n", encoding="utf-8"
    )
    with pytest.raises(CalendarConfigError, match="plain_hours"):
        load_municipality("town", tmp_path)
    (folder / "municipality.yaml").write_text(
        base + "\ndepartments: [{id: roads}]\n", encoding="utf-8"
    )
    with pytest.raises(CalendarConfigError, match=r"departments\[1\]"):
        load_municipality("town", tmp_path)


def test_every_municipality_loads() -> None:
    names = sorted(p.parent.name for p in PROCESSES.glob("*/municipality.yaml"))
    assert {"chaykovsky", "palana", "myasnikovsky", "perm", "elets"} <= set(names)
    for name in names:
        assert load_municipality(name, PROCESSES).title


def test_sources_are_listed_per_municipality_or_default(tmp_path: Path) -> None:
    assert load_municipality("perm", PROCESSES).sources == (
        "vk",
        "ok",
        "monitoring",
        "incident_manager",
    )
    assert load_municipality("example", PROCESSES).sources == DEFAULT_SOURCES
    folder = tmp_path / "town"
    folder.mkdir()
    base = (PROCESSES / "example" / "municipality.yaml").read_text(encoding="utf-8")
    base = base.replace("name: example", "name: town")
    for bad, says in (
        ("sources: vk", "sources: ожидается список"),
        ("sources: []", "sources: пустой список"),
        ("sources: [vk, 7]", r"sources\[2\]: ожидается текст"),
        ("channels: [vk]", "переименован в sources"),
    ):
        (folder / "municipality.yaml").write_text(f"{base}\n{bad}\n", encoding="utf-8")
        with pytest.raises(CalendarConfigError, match=says):
            load_municipality("town", tmp_path)


def test_a_municipality_is_known_by_its_settings_file(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert is_known("perm", PROCESSES)
    assert not is_known("empty", tmp_path) and not is_known("atlantis", PROCESSES)
    assert not is_known("../perm", PROCESSES) and not is_known("", PROCESSES)
