"""Deadlines as legal staff write them («8 рабочих часов», «в течение рабочего дня», PT8H)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache

from engine.worktime.plural import plural


class Unit(StrEnum):
    """What a deadline counts."""

    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    END_OF_WORKING_DAY = "end_of_working_day"


_SECONDS = {Unit.SECOND: 1, Unit.MINUTE: 60, Unit.HOUR: 3600}


@dataclass(frozen=True)
class DeadlineSpec:
    """A parsed deadline: an amount of a unit, in working or calendar time."""

    amount: int
    unit: Unit
    working: bool
    text: str = field(default="", compare=False)

    @property
    def duration(self) -> timedelta:
        """The exact length of a second/minute/hour deadline (days follow the Civil Code)."""
        if self.unit not in _SECONDS:
            raise ValueError(f"{self.describe()} is not a fixed duration")
        return timedelta(seconds=self.amount * _SECONDS[self.unit])

    def describe(self) -> str:
        """The deadline in Russian with the right plural form, e.g. «2 рабочих часа»."""
        if self.unit is Unit.END_OF_WORKING_DAY:
            return "в течение рабочего дня"
        noun = plural(self.amount, *_NOUNS[self.unit])
        if self.unit is Unit.DAY:
            adjective = _ADJ_MASC[self.working]
        elif self.working:
            fem = self.unit is not Unit.HOUR
            adjective = _ADJ_FEM if fem else _ADJ_MASC[True]
        else:
            return f"{self.amount} {noun}"
        return f"{self.amount} {plural(self.amount, *adjective)} {noun}"

    def __str__(self) -> str:
        return self.describe()


_NOUNS = {
    Unit.SECOND: ("секунда", "секунды", "секунд"),
    Unit.MINUTE: ("минута", "минуты", "минут"),
    Unit.HOUR: ("час", "часа", "часов"),
    Unit.DAY: ("день", "дня", "дней"),
}
_ADJ_MASC = {
    True: ("рабочий", "рабочих", "рабочих"),
    False: ("календарный", "календарных", "календарных"),
}
_ADJ_FEM = ("рабочая", "рабочие", "рабочих")

ACCEPTED = (
    "«30 рабочих минут», «1 рабочий час», «8 рабочих часов», «8 часов в период служебного "
    "времени», «2 рабочих дня», «5 рабочих дней», «8 календарных дней», «24 часа», «48 часов», "
    "«30 минут», «в течение рабочего дня»; перед сроком можно писать «в течение», «не позднее», "
    "«не более», «через»; или ISO 8601 (календарное время): «PT8H», «PT30M», «PT1H30M», «P2D»"
)


class DeadlineSpecError(ValueError):
    """A deadline text the parser cannot read; the message lists the accepted forms."""

    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        why = f" ({reason})" if reason else ""
        super().__init__(f"Не удалось прочитать срок «{text}»{why}. Принимаются: {ACCEPTED}.")


_UNIT_FORMS = {
    **dict.fromkeys(("секунда", "секунду", "секунды", "секунд"), Unit.SECOND),
    **dict.fromkeys(("минута", "минуту", "минуты", "минут"), Unit.MINUTE),
    **dict.fromkeys(("час", "часа", "часов"), Unit.HOUR),
    **dict.fromkeys(("день", "дня", "дней"), Unit.DAY),
}
_SINGULAR_WITHOUT_NUMBER = frozenset({"час", "часа", "минуту", "минуты", "сутки", "суток"})
_DAYS_24H = frozenset({"сутки", "суток"})
_WORKING = frozenset({"рабочий", "рабочая", "рабочую", "рабочие", "рабочих", "рабочего", "рабочей"})
_CALENDAR = frozenset(
    {"календарный", "календарная", "календарную", "календарные", "календарных", "календарного"}
    | {"календарной"}
)
_NUMBER_WORDS = {
    **dict.fromkeys(("один", "одна", "одну", "одного", "одной", "одни", "одних"), 1),
    **dict.fromkeys(("два", "две", "двух"), 2),
    **dict.fromkeys(("три", "трех", "трое"), 3),
    **dict.fromkeys(("четыре", "четырех"), 4),
    **dict.fromkeys(("пять", "пяти"), 5),
    **dict.fromkeys(("шесть", "шести"), 6),
    **dict.fromkeys(("семь", "семи"), 7),
    **dict.fromkeys(("восемь", "восьми"), 8),
    **dict.fromkeys(("девять", "девяти"), 9),
    **dict.fromkeys(("десять", "десяти"), 10),
    **dict.fromkeys(("тридцать", "тридцати"), 30),
}
_DIGITS = re.compile(r"^(\d{1,6})(?:-?(?:х|ти|и|ми|го|ого|ух|ех|ем|м))?$")
_END_OF_DAY = frozenset(
    {"в течение рабочего дня", "в течение текущего рабочего дня", "до конца рабочего дня"}
    | {"до окончания рабочего дня", "в течении рабочего дня"}
)
# Longest first, so «не позднее чем через» is not cut as «не позднее».
_PREFIXES = (
    "не позднее чем через",
    "не позднее чем",
    "не позднее",
    "не более чем",
    "не более",
    "в течение",
    "в течении",
    "в срок",
    "через",
    "до",
)
_WORKING_TAILS = (
    "в период служебного времени",
    "служебного времени",
    "в рабочее время",
    "рабочего времени",
)
_HALF_HOUR = frozenset({"полчаса", "получаса"})
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_deadline(text: str) -> DeadlineSpec:
    """Read a deadline in Russian or ISO 8601; raise DeadlineSpecError with accepted forms."""
    if not isinstance(text, str):
        raise DeadlineSpecError(str(text), "ожидается строка")
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> DeadlineSpec:
    """Timer expressions repeat a handful of texts; errors are not cached by lru_cache."""
    clean = _normalize(text)
    if not clean:
        raise DeadlineSpecError(text, "пустой срок")
    if clean[0] == "p" and " " not in clean:
        return _parse_iso(text, clean.upper())
    if clean in _END_OF_DAY:
        return DeadlineSpec(1, Unit.END_OF_WORKING_DAY, True, text)
    return _parse_russian(text, clean)


def _normalize(text: str) -> str:
    clean = text.replace("ё", "е").replace("Ё", "Е").replace("\u00a0", " ").lower()
    clean = clean.strip().strip("«»\"'").strip().rstrip(".,;").strip()
    return re.sub(r"\s+", " ", clean)


def _parse_iso(text: str, upper: str) -> DeadlineSpec:
    match = _ISO.match(upper)
    if match is None or upper in ("P", "PT") or upper.endswith("T"):
        raise DeadlineSpecError(text, "ISO 8601: только недели, дни, часы, минуты, секунды")
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
    if total <= 0:
        raise DeadlineSpecError(text, "нулевой срок")
    for unit in (Unit.HOUR, Unit.MINUTE):
        if total % _SECONDS[unit] == 0:
            return DeadlineSpec(total // _SECONDS[unit], unit, False, text)
    return DeadlineSpec(total, Unit.SECOND, False, text)


def _strip(clean: str) -> tuple[str, bool]:
    """Drop a leading «в течение»-like word and a trailing «в период служебного времени»."""
    for prefix in _PREFIXES:
        if clean.startswith(prefix + " "):
            clean = clean[len(prefix) + 1 :]
            break
    for tail in _WORKING_TAILS:
        if clean.endswith(" " + tail):
            return clean[: -len(tail) - 1], True
    return clean, False


def _parse_russian(text: str, clean: str) -> DeadlineSpec:
    body, office_time = _strip(clean)
    words = body.split(" ")
    if len(words) == 1 and words[0] in _HALF_HOUR:
        return _checked(text, DeadlineSpec(30, Unit.MINUTE, office_time, text), office_time)
    amount = _amount(words[0]) if words else None
    if amount is None:
        if len(words) > 2 or words[-1] not in _SINGULAR_WITHOUT_NUMBER:
            raise DeadlineSpecError(text, "не найдено число")
        amount = 1
    else:
        words = words[1:]
    if amount < 1:
        raise DeadlineSpecError(text, "срок должен быть не меньше 1")
    if not words or len(words) > 2:
        raise DeadlineSpecError(text, "ожидается «число [рабочих|календарных] единица»")
    return _with_unit(text, amount, words, office_time)


def _with_unit(text: str, amount: int, words: list[str], office_time: bool) -> DeadlineSpec:
    noun = words[-1]
    adjective = words[0] if len(words) == 2 else None
    working = office_time
    if adjective in _WORKING:
        working = True
    elif adjective in _CALENDAR:
        if office_time:
            raise DeadlineSpecError(text, "календарное и служебное время одновременно")
    elif adjective is not None:
        raise DeadlineSpecError(text, f"непонятное слово «{adjective}»")
    if noun in _DAYS_24H:
        if working:
            raise DeadlineSpecError(text, "«рабочие сутки» не бывают; пишите рабочие дни или часы")
        return DeadlineSpec(amount * 24, Unit.HOUR, False, text)
    unit = _UNIT_FORMS.get(noun)
    if unit is None:
        raise DeadlineSpecError(text, f"непонятная единица «{noun}»")
    return _checked(text, DeadlineSpec(amount, unit, working, text), office_time)


def _checked(text: str, spec: DeadlineSpec, office_time: bool) -> DeadlineSpec:
    if office_time and spec.unit is Unit.DAY:
        raise DeadlineSpecError(text, "«служебное время» относится к часам и минутам, не к дням")
    return spec


def _amount(word: str) -> int | None:
    match = _DIGITS.match(word)
    if match is not None:
        return int(match.group(1))
    return _NUMBER_WORDS.get(word)
