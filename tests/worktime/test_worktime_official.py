"""Official calendar files (xmlcalendar.ru, isdayoff.ru) against the package and the Labour Code."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.worktime import OfficialCalendarError, ProductionCalendar
from engine.worktime.official import read_official
from engine.worktime.store import AUDIT_FILE, load_directory, save_year

FIXTURES = Path(__file__).parent / "calendars"
PACKAGE = ProductionCalendar(None)
FILES = [
    "xmlcalendar-ru-2024.xml",
    "xmlcalendar-ru-2025.xml",
    "xmlcalendar-ru-2026.xml",
    "xmlcalendar-ru-2027.xml",
    "isdayoff-ru2024.json",
    "isdayoff-ru2025.json",
    "isdayoff-ru2026.json",
]


def _read(name: str, edit: tuple[str, str] | None = None) -> bytes:
    data = (FIXTURES / name).read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in data
        data = data.replace(*edit)
    return data.encode("utf-8")


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("name", FILES)
def test_published_calendars_agree_with_the_package_and_its_derived_short_days(name: str) -> None:
    official = read_official(_read(name), name)
    for day in _days(official.year):
        assert official.is_working_day(day) == PACKAGE.is_working_day(day), day
        assert (day in official.shortened) == PACKAGE.is_pre_holiday(day), day
    assert official.notes == ()  # the published files need no derivation on top


@pytest.mark.parametrize(
    ("year", "working", "hours"), [(2024, 248, 1979), (2025, 247, 1972), (2026, 247, 1972)]
)
def test_norms_of_the_published_years(year: int, working: int, hours: int) -> None:
    for name in (f"xmlcalendar-ru-{year}.xml", f"isdayoff-ru{year}.json"):
        official = read_official(_read(name), name)
        days = [d for d in _days(year) if official.is_working_day(d)]
        assert (len(days), len(days) * 8 - len(official.shortened)) == (working, hours)


def test_xmlcalendar_names_and_transfers() -> None:
    official = read_official(_read("xmlcalendar-ru-2025.xml"), "calendar.xml")
    assert official.source == "xmlcalendar"
    assert official.holiday_name(date(2025, 1, 7)) == "Рождество Христово"
    assert official.holiday_name(date(2025, 11, 3)) == "Выходной (перенесено с 01.11.2025)"
    assert official.transfers[date(2025, 11, 3)] == date(2025, 11, 1)
    assert official.working_days == {date(2025, 11, 1)}
    assert official.holiday_name(date(2025, 11, 1)) is None


def test_an_older_xmlcalendar_that_forgot_the_short_saturday_gets_it_by_derivation() -> None:
    """xmlcalendar.ru first published 1 Nov 2025 as t=3; art. 95 still shortens it."""
    data = _read("xmlcalendar-ru-2025.xml", ('d="11.01" t="2"', 'd="11.01" t="3"'))
    official = read_official(data, "calendar.xml")
    assert "03.11.2025" in official.shortened[date(2025, 11, 1)]
    assert official.notes == (
        "01.11.2025: сокращенный день (ст. 95 ТК РФ: работа перенесена с 03.11.2025 (пн), "
        "кануна праздника 04.11.2025)",
    )


def test_an_older_xmlcalendar_without_t3_for_worked_saturdays_infers_them() -> None:
    """xmlcalendar.ru's first 2024 file moved days off from 27 April and 28 December only by f."""
    data = _read("xmlcalendar-ru-2024.xml", ('    <day d="04.27" t="3"/>\n', ""))
    data = data.replace(b'    <day d="12.28" t="3"/>\n', b"")
    official = read_official(data, "calendar.xml")
    assert {date(2024, 4, 27), date(2024, 12, 28)} <= official.working_days
    assert len(official.notes) == 2 and "27.04.2024: рабочий день" in official.notes[0]


def test_isdayoff_that_forgot_a_pre_holiday_day_gets_it_by_art_95() -> None:
    """isdayoff.ru's first 2025 file left 30 April out of predayoff."""
    data = _read("isdayoff-ru2025.json", ('"0430",\n    "0611"', '"0611"'))
    official = read_official(data, "ru2025.json")
    assert official.shortened[date(2025, 4, 30)].startswith("канун праздника 01.05.2025")


@pytest.mark.parametrize(
    ("name", "edit", "words"),
    [
        ("xmlcalendar-ru-2025.xml", ('country="ru"', 'country="by"'), "нужен календарь РФ"),
        (
            "xmlcalendar-ru-2025.xml",
            ('d="01.07" t="1" h="2"', 'd="01.07" t="2"'),
            "праздник (ст. 112",
        ),
        ("xmlcalendar-ru-2025.xml", ('d="03.07" t="2"', 'd="03.07" t="3"'), "t=3"),
        ("xmlcalendar-ru-2025.xml", ('d="03.07" t="2"', 'd="03.07" t="5"'), "t='5'"),
        ("xmlcalendar-ru-2025.xml", ('d="03.07" t="2"', 'd="02.30" t="2"'), "не день 2025"),
        ("xmlcalendar-ru-2025.xml", ('d="03.07" t="2"', 'd="01.01" t="2"'), "указан дважды"),
        ("xmlcalendar-ru-2025.xml", ('d="01.07" t="1" h="2"', 'd="01.07" t="1" h="9"'), "h='9'"),
        ("xmlcalendar-ru-2025.xml", ('year="2025"', 'year="twenty"'), "не число"),
        ("xmlcalendar-ru-2025.xml", ("</calendar>", ""), "не XML"),
        ("isdayoff-ru2025.json", ('"countrycode": "ru"', '"countrycode": "kz"'), "РФ"),
        (
            "isdayoff-ru2025.json",
            ('"workday": [\n    "1101"', '"workday": [\n    "1105"'),
            "будний",
        ),
        ("isdayoff-ru2025.json", ('"0611",\n    "1101"', '"0612",\n    "1101"'), "выходной"),
        ("isdayoff-ru2025.json", ('"0101",', '"101",'), "не дата «ММДД»"),
        ("isdayoff-ru2025.json", ('"year": 2025', '"year": 1900'), "вне 1991–2100"),
        ("isdayoff-ru2025.json", ('"year": 2025', '"year": 2025,'), "ни XML"),
    ],
)
def test_broken_or_foreign_files_are_refused(name: str, edit: tuple[str, str], words: str) -> None:
    with pytest.raises(OfficialCalendarError) as caught:
        read_official(_read(name, edit), "upload")
    assert str(caught.value).startswith("upload: ")
    assert words in str(caught.value)


def test_a_file_missing_a_public_holiday_is_refused() -> None:
    data = _read("isdayoff-ru2026.json", ('"0223",\n    "0309"', '"0309"'))
    with pytest.raises(OfficialCalendarError, match=r"23\.02\.2026 — праздник"):
        read_official(data, "ru2026.json")


def test_store_round_trip_and_directory(tmp_path: Path) -> None:
    official = read_official(_read("xmlcalendar-ru-2026.xml"), "calendar.xml")
    path = save_year(tmp_path, official)
    assert path.name == "2026.json"
    (tmp_path / "README.md").write_text("not a year", encoding="utf-8")
    (tmp_path / AUDIT_FILE).write_text("{}\n", encoding="utf-8")
    (tmp_path / "2027.json.tmp").write_text("half", encoding="utf-8")
    loaded = load_directory(tmp_path)
    assert list(loaded) == [2026]
    again = loaded[2026]
    assert (again.days_off, again.working_days, again.shortened, again.transfers) == (
        official.days_off,
        official.working_days,
        official.shortened,
        official.transfers,
    )
    assert read_official(path.read_bytes(), path.name).days_off == official.days_off


def test_a_stored_file_under_the_wrong_year_or_broken_fails_naming_it(tmp_path: Path) -> None:
    save_year(tmp_path, read_official(_read("isdayoff-ru2025.json"), "ru2025.json"))
    (tmp_path / "2025.json").rename(tmp_path / "2024.json")
    with pytest.raises(OfficialCalendarError, match=r"2024\.json: внутри календарь 2025"):
        load_directory(tmp_path)
    (tmp_path / "2024.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(OfficialCalendarError, match=r"2024\.json: не прочитан"):
        load_directory(tmp_path)
    stored = read_official(_read("isdayoff-ru2025.json"), "ru2025.json").to_json()
    stored["days_off"]["2025-01-01"] = None
    del stored["days_off"]["2025-01-02"]
    (tmp_path / "2024.json").unlink()
    (tmp_path / "2025.json").write_text(json.dumps(stored), encoding="utf-8")
    with pytest.raises(OfficialCalendarError, match=r"02\.01\.2025 — праздник"):
        load_directory(tmp_path)
