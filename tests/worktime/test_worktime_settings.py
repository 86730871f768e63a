"""municipality.yaml: the six real files load; bad settings fail naming the file and key."""

import re
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


RUSSIAN = re.compile("[а-яё]{3}")
GOOD = "name: town\ntitle: Город\ntimezone: Europe/Moscow\n"


def test_unknown_top_level_keys_are_ignored(tmp_path: Path) -> None:
    _write(tmp_path, GOOD + "departments: [a, b]\nchannels: {vk: true}\n")
    assert load_calendar("town", tmp_path).settings.timezone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("calendar:\n  office_houres: {}\n", "calendar", "неизвестные ключи ['office_houres']"),
        ("calendar:\n  office_hours:\n    mon: '9-18'\n", "calendar.office_hours.mon", "ЧЧ:ММ"),
        (
            "calendar:\n  office_hours:\n    mon: '18:00-09:00'\n",
            "office_hours.mon",
            "раньше конца",
        ),
        ("calendar:\n  office_hours:\n    mon: 09:00\n", "calendar.office_hours.mon", "в кавычках"),
        ("calendar:\n  office_hours:\n    mond: '09:00-18:00'\n", "calendar.office_hours", "mond"),
        ("calendar:\n  lunch: '12:00-19:00'\n", "calendar.office_hours.mon", "обед"),
        ("calendar:\n  pre_holiday_shortening_minutes: -5\n", "pre_holiday", "0..240"),
        ("calendar:\n  transferred_working_day: null\n", "transferred_working_day", "null"),
        (
            "calendar:\n  overrides:\n    days_off: [{date: '2025-13-01'}]\n",
            "[0].date",
            "нужна дата ГГГГ-ММ-ДД",
        ),
        (
            "calendar:\n  overrides:\n    days_off: [{reason: x}]\n",
            "days_off[0]",
            "не указана дата",
        ),
        (
            "calendar:\n  overrides:\n    hours: [{date: 2025-10-01}]\n",
            "hours[0]",
            "не указаны часы работы",
        ),
        ("calendar:\n  overrides:\n    days_off: 2025-10-01\n", "days_off", "нужен список"),
        (
            "calendar:\n  overrides:\n    days_off: [{date: 2025-10-01, hours: '09:00-12:00'}]\n",
            "days_off[0]",
            "неизвестные ключи ['hours']",
        ),
        (
            "calendar:\n  overrides:\n    days_off: [{date: 2025-10-01}]\n"
            "    working_days: [{date: 2025-10-01}]\n",
            "calendar.overrides",
            "и выходной, и рабочий день",
        ),
        (
            "calendar:\n  overrides:\n    holidays: [{date: 2025-10-01}, {date: 2025-10-01}]\n",
            "holidays[1]",
            "указана дважды",
        ),
        ("calendar: [1, 2]\n", "calendar", "нужен словарь «ключ: значение», а не список"),
        ("calendar:\n  transferred_working_day: 9\n", "transferred_working_day", "в кавычках"),
    ],
)
def test_bad_calendar_names_file_and_key(tmp_path: Path, extra: str, key: str, words: str) -> None:
    path = _write(tmp_path, GOOD + extra)
    with pytest.raises(CalendarConfigError) as caught:
        load_calendar("town", tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message and words in message
    assert RUSSIAN.search(message.removeprefix(str(path))), message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "name: town\ntitle: Город\ntimezone: Mars/Olympus\n",
            "timezone: неизвестный часовой пояс",
        ),
        ("name: town\ntitle: Город\n", "timezone: не указан"),
        ("name: other\ntitle: Город\ntimezone: UTC\n", "не совпадает с именем папки"),
        ("name: town\ntimezone: UTC\n", "title: не указан"),
        ("- a list\n", "нужен словарь настроек"),
        ("name: [unclosed\n", "не читается как YAML"),
        (GOOD + "calendar:\n  overrides:\n    days_off: [{date: 2025-13-01}]\n", "не читается"),
    ],
)
def test_bad_top_level(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(CalendarConfigError, match=words) as caught:
        load_calendar("town", tmp_path)
    assert str(path) in str(caught.value)


def test_missing_file_and_bad_name(tmp_path: Path) -> None:
    with pytest.raises(CalendarConfigError, match="нет такого файла"):
        load_calendar("nowhere", tmp_path)
    with pytest.raises(CalendarConfigError, match="по имени папки"):
        load_calendar("../etc", tmp_path)


def test_from_settings_names_its_source() -> None:
    with pytest.raises(CalendarConfigError, match=r"^<settings>: timezone"):
        Calendar.from_settings({"timezone": 3})


def test_settings_errors_say_in_russian_what_the_value_is() -> None:
    with pytest.raises(CalendarConfigError, match=r"^<settings>: <top>: .* а не список"):
        Calendar.from_settings([1])
    with pytest.raises(CalendarConfigError, match=r"timezone: нужен часовой пояс IANA.*а не 3"):
        Calendar.from_settings({"timezone": 3})
    with pytest.raises(CalendarConfigError, match=r"pre_holiday_shortening_minutes: .*а не True"):
        Calendar.from_settings(
            {"timezone": "UTC", "calendar": {"pre_holiday_shortening_minutes": True}}
        )
