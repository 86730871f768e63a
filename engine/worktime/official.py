"""Official production calendars from files: xmlcalendar.ru's calendar.xml, isdayoff.ru's JSON."""

# Either file is read into an OfficialYear, validated against the Labour Code (every art. 112
# holiday is a day off, a shortened day is a working day, ...) and stored normalised as JSON.

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lxml import etree

from engine.worktime.law import ART_112, is_art_112_date, shortening_reason
from engine.worktime.settings import CalendarConfigError

STORE_FORMAT = "reglament-production-calendar/1"
_XML_DAY_TYPES = {"1": "day off", "2": "shortened", "3": "working"}


class OfficialCalendarError(CalendarConfigError):
    """A calendar file that cannot be read or breaks the Labour Code; the message says where."""


@dataclass(frozen=True)
class OfficialYear:
    """One year of the official production calendar (five-day week), as loaded from a file."""

    year: int
    source: str  # "xmlcalendar" or "isdayoff"
    file: str
    sha256: str
    days_off: Mapping[date, str]  # listed non-working days with their names
    working_days: frozenset[date]  # weekend days made working
    shortened: Mapping[date, str]  # shortened working days (art. 95) with the reason
    transfers: Mapping[date, date] = field(default_factory=dict)  # day off → moved from
    notes: tuple[str, ...] = ()  # what the loader derived beyond the file
    loaded_at: str = ""
    loaded_by: str = ""

    def is_working_day(self, day: date) -> bool:
        """True when the calendar makes `day` a working day."""
        if day in self.days_off:
            return False
        return day in self.working_days or day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        """The name of a day off that is a holiday or a transferred day off, or None."""
        if day in self.days_off:
            return self.days_off[day]
        if is_art_112_date(day) and not self.is_working_day(day):
            return ART_112[day.month, day.day]
        return None

    def to_json(self) -> dict[str, Any]:
        """The normalised form stored in the calendars directory."""
        return {
            "format": STORE_FORMAT,
            "year": self.year,
            "source": {"format": self.source, "file": self.file, "sha256": self.sha256},
            "loaded": {"at": self.loaded_at, "by": self.loaded_by},
            "days_off": {d.isoformat(): name for d, name in sorted(self.days_off.items())},
            "working_days": sorted(d.isoformat() for d in self.working_days),
            "shortened": {d.isoformat(): why for d, why in sorted(self.shortened.items())},
            "transfers": {d.isoformat(): f.isoformat() for d, f in sorted(self.transfers.items())},
            "notes": list(self.notes),
        }


def read_official(data: bytes, file: str) -> OfficialYear:
    """Read a calendar file in any supported format, recognised by its content."""
    text = data.lstrip()
    if text.startswith(b"<"):
        return parse_xmlcalendar(data, file)
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OfficialCalendarError(
            f"{file}: ни XML (xmlcalendar.ru), ни JSON (isdayoff.ru): {error}"
        ) from None
    if isinstance(raw, dict) and raw.get("format") == STORE_FORMAT:
        return from_store(raw, file)
    return parse_isdayoff(raw, file, data)


def parse_xmlcalendar(data: bytes, file: str) -> OfficialYear:
    """xmlcalendar.ru: <day d="MM.DD" t="1|2|3" h="holiday id" f="MM.DD moved from"/>."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise OfficialCalendarError(f"{file}: не XML: {error}") from None
    fail = _failer(file)
    if root.tag != "calendar":
        raise fail(f"корневой элемент <{root.tag}>, ожидается <calendar>")
    if root.get("country") not in (None, "ru"):
        raise fail(f"календарь страны {root.get('country')!r}, нужен календарь РФ (ru)")
    year = _year(root.get("year"), fail)
    titles = {h.get("id"): h.get("title") or "" for h in root.iter("holiday")}
    days_off: dict[date, str] = {}
    working: set[date] = set()
    shortened: dict[date, str] = {}
    transfers: dict[date, date] = {}
    seen: set[date] = set()
    for element in root.iter("day"):
        day = _month_day(element.get("d"), year, ".", fail)
        kind = element.get("t")
        if day in seen:
            raise fail(f"{day:%d.%m.%Y} указан дважды")
        seen.add(day)
        if kind not in _XML_DAY_TYPES:
            raise fail(f"{day:%d.%m.%Y}: тип дня t={kind!r}, ожидается 1, 2 или 3")
        if kind == "1":
            moved = element.get("f")
            if moved:
                transfers[day] = _month_day(moved, year, ".", fail)
            days_off[day] = _day_off_name(element.get("h"), titles, transfers.get(day), fail)
            continue
        if day.weekday() >= 5:
            working.add(day)
        elif kind == "3":
            raise fail(f"{day:%d.%m.%Y}: t=3 (рабочий выходной) на будний день")
        if kind == "2":
            shortened[day] = "сокращенный день по файлу"
    notes = _infer_worked_weekends(transfers, days_off, working)
    digest = hashlib.sha256(data).hexdigest()
    return finish(year, "xmlcalendar", file, digest, days_off, working, shortened, transfers, notes)


def _day_off_name(
    holiday_id: str | None, titles: Mapping[str | None, str], moved: date | None, fail: Any
) -> str:
    if holiday_id is not None:
        if holiday_id not in titles:
            raise fail(f"праздник h={holiday_id!r} не описан в <holidays>")
        return titles[holiday_id]
    if moved is not None:
        return f"Выходной (перенесено с {moved:%d.%m.%Y})"
    return "Нерабочий день"


def _infer_worked_weekends(
    transfers: Mapping[date, date], days_off: Mapping[date, str], working: set[date]
) -> list[str]:
    """A day off moved from a plain weekend day makes that weekend day a working day."""
    notes = []
    for day, moved in sorted(transfers.items()):
        if moved.weekday() >= 5 and moved not in days_off and moved not in working:
            working.add(moved)
            notes.append(
                f"{moved:%d.%m.%Y}: рабочий день — выходной перенесен с него на {day:%d.%m.%Y} "
                "(в файле день не отмечен как рабочий)"
            )
    return notes


def parse_isdayoff(raw: Any, file: str, data: bytes) -> OfficialYear:
    """isdayoff.ru's yearly file: {"year", "countrycode", "dayoff", "predayoff", "workday"}."""
    fail = _failer(file)
    if not isinstance(raw, dict):
        raise fail("ожидается объект JSON с полями year, dayoff, predayoff, workday")
    if raw.get("countrycode", "ru") != "ru":
        raise fail(f"календарь страны {raw.get('countrycode')!r}, нужен календарь РФ (ru)")
    year = _year(raw.get("year"), fail)
    listed = {key: _mmdd_list(raw, key, year, fail) for key in ("dayoff", "predayoff", "workday")}
    # Non-working days with pay (2020) are days off for deadlines too.
    listed["covidday"] = _mmdd_list(raw, "covidday", year, fail)
    days_off = {
        day: ART_112.get((day.month, day.day), "Нерабочий день (перенос выходного)")
        for day in listed["dayoff"]
    }
    days_off |= {day: "Нерабочий день (указ Президента)" for day in listed["covidday"]}
    working = set(listed["workday"])
    for day in working:
        if day.weekday() < 5:
            raise fail(f"{day:%d.%m.%Y}: в workday будний день; там только рабочие выходные")
    shortened = {day: "сокращенный день по файлу" for day in listed["predayoff"]}
    working |= {day for day in shortened if day.weekday() >= 5}
    digest = hashlib.sha256(data).hexdigest()
    return finish(year, "isdayoff", file, digest, days_off, working, shortened, {}, [])


def finish(
    year: int,
    source: str,
    file: str,
    digest: str,
    days_off: Mapping[date, str],
    working: set[date],
    shortened: Mapping[date, str],
    transfers: Mapping[date, date],
    notes: list[str],
    **loaded: str,
) -> OfficialYear:
    """Check the year against the Labour Code and add the shortened days art. 95 derives."""
    fail = _failer(file)
    clash = sorted(set(days_off) & working)
    if clash:
        raise fail(f"{clash[0]:%d.%m.%Y} одновременно выходной и рабочий")
    official = OfficialYear(
        year, source, file, digest, dict(days_off), frozenset(working), {}, dict(transfers)
    )
    for day in _days_of(year):
        if is_art_112_date(day) and official.is_working_day(day):
            raise fail(f"{day:%d.%m.%Y} — праздник (ст. 112 ТК РФ), а в файле рабочий день")
    for day in sorted(shortened):
        if not official.is_working_day(day):
            raise fail(f"{day:%d.%m.%Y}: сокращенный день, а в файле он выходной")
    donors = {moved: day for day, moved in transfers.items() if moved in working}
    all_short: dict[date, str] = {}
    all_notes = list(notes)
    for day in filter(official.is_working_day, _days_of(year)):
        reason = shortening_reason(day, lambda d: _holiday_in(official, d), donors)
        if day in shortened:
            all_short[day] = reason or shortened[day]
        elif reason is not None:
            all_short[day] = reason
            all_notes.append(f"{day:%d.%m.%Y}: сокращенный день (ст. 95 ТК РФ: {reason})")
    return OfficialYear(
        year,
        source,
        file,
        digest,
        dict(days_off),
        frozenset(working),
        all_short,
        dict(transfers),
        tuple(all_notes),
        loaded.get("loaded_at", ""),
        loaded.get("loaded_by", ""),
    )


def _holiday_in(official: OfficialYear, day: date) -> bool:
    """A public holiday by the year's own file; a holiday on 1 January of the next year."""
    if day.year != official.year:
        return is_art_112_date(day)
    return is_art_112_date(day) and not official.is_working_day(day)


def from_store(raw: Mapping[str, Any], file: str) -> OfficialYear:
    """An OfficialYear from its normalised JSON, validated as on load."""
    fail = _failer(file)
    try:
        year = _year(raw["year"], fail)
        days_off = {_iso(d, year, fail): str(name) for d, name in raw["days_off"].items()}
        working = {_iso(d, year, fail) for d in raw["working_days"]}
        shortened = {_iso(d, year, fail): str(why) for d, why in raw["shortened"].items()}
        transfers = {
            _iso(d, year, fail): date.fromisoformat(f) for d, f in raw["transfers"].items()
        }
        source, loaded = raw["source"], raw.get("loaded") or {}
        return finish(
            year,
            str(source["format"]),
            str(source["file"]),
            str(source["sha256"]),
            days_off,
            working,
            shortened,
            transfers,
            [str(note) for note in raw.get("notes", [])],
            loaded_at=str(loaded.get("at", "")),
            loaded_by=str(loaded.get("by", "")),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, OfficialCalendarError):
            raise
        raise fail(f"не сохраненный календарь Reglament: {error!r}") from None


def _failer(file: str) -> Any:
    def fail(problem: str) -> OfficialCalendarError:
        return OfficialCalendarError(f"{file}: {problem}")

    return fail


def _year(value: Any, fail: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise fail(f"год {value!r} — не число") from None
    if not 1991 <= year <= 2100:
        raise fail(f"год {year} вне 1991–2100")
    return year


def _month_day(value: Any, year: int, separator: str, fail: Any) -> date:
    text = str(value or "")
    month, day = [*text.split(separator), ""][:2] if separator else (text[:2], text[2:])
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise fail(f"дата {value!r} не день {year} года") from None


def _mmdd_list(raw: Mapping[str, Any], key: str, year: int, fail: Any) -> list[date]:
    values = raw.get(key, [])
    if not isinstance(values, list):
        raise fail(f"{key}: ожидается список дат «ММДД»")
    days = []
    for value in values:
        if not isinstance(value, str) or len(value) != 4:
            raise fail(f"{key}: {value!r} не дата «ММДД»")
        days.append(_month_day(value, year, "", fail))
    return days


def _iso(value: Any, year: int, fail: Any) -> date:
    day = date.fromisoformat(str(value))
    if day.year != year:
        raise fail(f"{day} не из {year} года")
    return day


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
