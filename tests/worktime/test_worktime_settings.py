"""municipality.yaml: the six real files load; bad settings fail naming the file and key."""

from pathlib import Path

import pytest

from engine.worktime import Calendar, CalendarConfigError, clear_cache, load_calendar

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
ZONES = {
    "chaykovsky": "Asia/Yekaterinburg",
    "perm": "Asia/Yekaterinburg",
    "palana": "Asia/Kamchatka",
    "myasnikovsky": "Europe/Moscow",
    "elets": "Europe/Moscow",
    "example": "Europe/Moscow",
}


@pytest.mark.parametrize(("name", "zone"), ZONES.items())
def test_real_municipalities_load(name: str, zone: str) -> None:
    calendar = load_calendar(name, PROCESSES)
    assert calendar.settings.timezone == zone
    assert calendar.name == name and calendar.settings.title
    assert load_calendar(name, PROCESSES) is calendar  # cached


def test_example_is_the_demo() -> None:
    assert load_calendar("example", PROCESSES).settings.title == "Пример"


def _write(tmp_path: Path, text: str, name: str = "town") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "municipality.yaml").write_text(text, encoding="utf-8")
    clear_cache()
    return folder / "municipality.yaml"


GOOD = "name: town\ntitle: Город\ntimezone: Europe/Moscow\n"


def test_unknown_top_level_keys_are_ignored(tmp_path: Path) -> None:
    _write(tmp_path, GOOD + "departments: [a, b]\nchannels: {vk: true}\n")
    assert load_calendar("town", tmp_path).settings.timezone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("calendar:\n  office_houres: {}\n", "calendar", "unknown keys ['office_houres']"),
        ("calendar:\n  office_hours:\n    mon: '9-18'\n", "calendar.office_hours.mon", "HH:MM"),
        ("calendar:\n  office_hours:\n    mon: '18:00-09:00'\n", "office_hours.mon", "before"),
        ("calendar:\n  office_hours:\n    mon: 09:00\n", "calendar.office_hours.mon", "HH:MM"),
        ("calendar:\n  office_hours:\n    mond: '09:00-18:00'\n", "calendar.office_hours", "mond"),
        ("calendar:\n  lunch: '12:00-19:00'\n", "calendar.office_hours.mon", "lunch"),
        ("calendar:\n  pre_holiday_shortening_minutes: -5\n", "pre_holiday", "0..240"),
        ("calendar:\n  transferred_working_day: null\n", "transferred_working_day", "null"),
        ("calendar:\n  overrides:\n    days_off: [{date: '2025-13-01'}]\n", "[0].date", "date"),
        ("calendar:\n  overrides:\n    days_off: [{reason: x}]\n", "days_off[0]", "'date'"),
        ("calendar:\n  overrides:\n    hours: [{date: 2025-10-01}]\n", "hours[0]", "'hours'"),
        ("calendar:\n  overrides:\n    days_off: 2025-10-01\n", "days_off", "list"),
        (
            "calendar:\n  overrides:\n    days_off: [{date: 2025-10-01, hours: '09:00-12:00'}]\n",
            "days_off[0]",
            "unknown keys ['hours']",
        ),
        (
            "calendar:\n  overrides:\n    days_off: [{date: 2025-10-01}]\n"
            "    working_days: [{date: 2025-10-01}]\n",
            "calendar.overrides",
            "both",
        ),
        (
            "calendar:\n  overrides:\n    holidays: [{date: 2025-10-01}, {date: 2025-10-01}]\n",
            "holidays[1]",
            "twice",
        ),
        ("calendar: [1, 2]\n", "calendar", "mapping"),
    ],
)
def test_bad_calendar_names_file_and_key(tmp_path: Path, extra: str, key: str, words: str) -> None:
    path = _write(tmp_path, GOOD + extra)
    with pytest.raises(CalendarConfigError) as caught:
        load_calendar("town", tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message and words in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: town\ntitle: Город\ntimezone: Mars/Olympus\n", "timezone: unknown time zone"),
        ("name: town\ntitle: Город\n", "timezone: missing"),
        ("name: other\ntitle: Город\ntimezone: UTC\n", "does not match its folder"),
        ("name: town\ntimezone: UTC\n", "title: missing"),
        ("- a list\n", "expected a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
        (GOOD + "calendar:\n  overrides:\n    days_off: [{date: 2025-13-01}]\n", "not valid"),
    ],
)
def test_bad_top_level(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(CalendarConfigError, match=words) as caught:
        load_calendar("town", tmp_path)
    assert str(path) in str(caught.value)


def test_missing_file_and_bad_name(tmp_path: Path) -> None:
    with pytest.raises(CalendarConfigError, match="no such file"):
        load_calendar("nowhere", tmp_path)
    with pytest.raises(CalendarConfigError, match="named by its folder"):
        load_calendar("../etc", tmp_path)


def test_from_settings_names_its_source() -> None:
    with pytest.raises(CalendarConfigError, match=r"^<settings>: timezone"):
        Calendar.from_settings({"timezone": 3})
