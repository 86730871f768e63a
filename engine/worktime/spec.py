"""Deadlines as legal staff write them («8 рабочих часов», «в течение рабочего дня», PT8H)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache

from engine.worktime import phrases
from engine.worktime.numerals import Case, read_number, spell
from engine.worktime.plural import plural
from engine.worktime.readings import reading_required


class Unit(StrEnum):
    """What a deadline counts."""

    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    END_OF_WORKING_DAY = "end_of_working_day"
    END_OF_NEXT_WORKING_DAY = "end_of_next_working_day"


_SECONDS = {Unit.SECOND: 1, Unit.MINUTE: 60, Unit.HOUR: 3600}


@dataclass(frozen=True)
class DeadlineSpec:
    """A parsed deadline: an amount of a unit, in working or calendar time."""

    # `before` counts backwards from the anchor passed to Calendar.due (`anchor_phrase` names
    # that deadline); `from_phrase` is the event the term runs from, as the regulation words it.

    amount: int
    unit: Unit
    working: bool
    text: str = field(default="", compare=False)
    before: bool = False
    from_phrase: str | None = None
    anchor_phrase: str | None = None

    @property
    def duration(self) -> timedelta:
        """The exact length of a second/minute/hour deadline (days follow the Civil Code)."""
        if self.unit not in _SECONDS:
            raise ValueError(f"{self.describe()} is not a fixed duration")
        return timedelta(seconds=self.amount * _SECONDS[self.unit])

    @property
    def is_clock_time(self) -> bool:
        """True for calendar seconds, minutes or hours: they ignore the production calendar."""
        return not self.working and self.unit in _SECONDS

    def describe(self) -> str:
        """The deadline in Russian with the right forms, e.g. «2 рабочих часа с момента …»."""
        if self.before:
            anchor = self.anchor_phrase or "срока"
            return f"за {self._term(accusative=True)} до истечения {anchor}"
        if self.from_phrase is None:
            return self._term()
        if self.unit is Unit.END_OF_NEXT_WORKING_DAY:
            return f"не позднее рабочего дня, следующего за днем {self.from_phrase}"
        connector = "со дня" if self.unit is Unit.DAY else "с момента"
        return f"{self._term()} {connector} {self.from_phrase}"

    def _term(self, *, accusative: bool = False) -> str:
        if self.unit is Unit.END_OF_WORKING_DAY:
            return "в течение рабочего дня"
        if self.unit is Unit.END_OF_NEXT_WORKING_DAY:
            return "не позднее следующего рабочего дня"
        nouns = _NOUNS_ACC if accusative else _NOUNS
        noun = plural(self.amount, *nouns[self.unit])
        if self.unit is Unit.DAY:
            adjective = _ADJ_MASC[self.working]
        elif self.working:
            feminine = self.unit is not Unit.HOUR
            adjective = (_ADJ_FEM_ACC if accusative else _ADJ_FEM) if feminine else _ADJ_MASC[True]
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
# «за 1 рабочую минуту до …»: only the feminine singular changes in the accusative.
_NOUNS_ACC = {
    **_NOUNS,
    Unit.SECOND: ("секунду", "секунды", "секунд"),
    Unit.MINUTE: ("минуту", "минуты", "минут"),
}
_ADJ_MASC = {
    True: ("рабочий", "рабочих", "рабочих"),
    False: ("календарный", "календарных", "календарных"),
}
_ADJ_FEM = ("рабочая", "рабочие", "рабочих")
_ADJ_FEM_ACC = ("рабочую", "рабочие", "рабочих")

ACCEPTED = (
    "«30 рабочих минут», «1 рабочий час», «8 рабочих часов», «8 часов в период служебного "
    "времени», «2 рабочих дня», «2 (двух) рабочих дней», «5 рабочих дней», «8 календарных дней», "
    "«24 часа», «двадцати четырех часов», «48 часов», «30 минут», «в течение суток», «в течение "
    "рабочего дня», «не позднее следующего рабочего дня», «не позднее чем за 4 часа до истечения "
    "срока, указанного в п. 8»; перед сроком можно писать «в течение», «не позднее (чем через)», "
    "«не более», «через», «до»; после срока — событие, от которого он считается: «… с момента "
    "поступления сообщения», «… со дня регистрации», «… после получения ответа»; или ISO 8601 "
    "(календарное время): «PT8H», «PT30M», «PT1H30M», «P2D»"
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
_DIGITS = re.compile(r"^(\d{1,6})(?:-?(?:х|ти|и|ми|го|ого|ух|ех|ем|м))?$")
# «2 (двух) рабочих дней», «двух (2) рабочих дней»: the number twice, in digits and words.
_PAREN = re.compile(r"^(?P<a>[^()]+?) ?\((?P<b>[^()]+)\) ?(?P<rest>[^()]*)$")
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
    clean = phrases.normalize(text)
    if not clean:
        raise DeadlineSpecError(text, "пустой срок")
    if clean[0] == "p" and " " not in clean:
        return _parse_iso(text, clean.upper())
    cased = phrases.normalize(text, keep_case=True)
    # Events and anchors keep the regulation's capitals («Исполнителю»); lower() keeps lengths.
    return _parse_phrase(text, clean, cased if len(cased) == len(clean) else clean)


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


def _parse_phrase(text: str, clean: str, cased: str) -> DeadlineSpec:
    """A Russian deadline: a term, or a term before a named deadline, or a term from an event."""
    _refuse_without_reading(text, clean)
    body = _drop_prefix(clean)
    if body.startswith("за "):
        start = len(clean) - len(body) + 3
        return _parse_before(text, clean[start:], cased[start:])
    match = phrases.FROM_TAIL.match(clean)
    if match is None:
        return _parse_head(text, clean, office_time=False)
    event, office_time = _drop_working_tail(match["event"])
    start = match.start("event")
    if match["connector"] == phrases.NEXT_DAY_AFTER:
        spec = _next_day_after(text, match["head"])
    else:
        spec = _parse_head(text, match["head"], office_time=office_time)
    return replace(spec, from_phrase=cased[start : start + len(event)])


def _refuse_without_reading(text: str, clean: str) -> None:
    readings = reading_required(clean)
    if readings:
        examples = ", ".join(f"«{r.text}» ({r.gloss})" for r in readings)
        raise DeadlineSpecError(
            text,
            "такая формулировка не задает срок сама по себе: прочтение объявляет таблица сроков "
            f"регламента, например {examples}",
        )
    if clean in phrases.PERIODIC:
        raise DeadlineSpecError(text, "это периодичность, а не срок")


def _parse_before(text: str, rest: str, cased: str) -> DeadlineSpec:
    """«за 4 часа до истечения срока, указанного в п. 8»: counted back from that deadline."""
    match = phrases.ANCHOR.match(rest)
    if match is None or match["a"] in ("истечения", "окончания", "наступления", "конца"):
        raise DeadlineSpecError(
            text, "ожидается «за N часов до истечения срока, указанного в п. …»"
        )
    spec = _parse_term(text, match["term"], office_time=False)
    return replace(spec, before=True, anchor_phrase=cased[match.start("a") :])


def _next_day_after(text: str, head: str) -> DeadlineSpec:
    """«не позднее рабочего дня, следующего за днем …» and «не позднее дня, следующего …»."""
    if head in phrases.WORKING_DAY_HEADS:
        return DeadlineSpec(1, Unit.END_OF_NEXT_WORKING_DAY, True, text)
    if head in phrases.DAY_HEADS:
        return DeadlineSpec(1, Unit.DAY, False, text)
    raise DeadlineSpecError(text, "ожидается «не позднее рабочего дня, следующего за днем …»")


def _parse_head(text: str, head: str, *, office_time: bool) -> DeadlineSpec:
    if head in phrases.END_OF_DAY:
        return DeadlineSpec(1, Unit.END_OF_WORKING_DAY, True, text)
    if head in phrases.END_OF_NEXT_DAY:
        return DeadlineSpec(1, Unit.END_OF_NEXT_WORKING_DAY, True, text)
    return _parse_term(text, head, office_time=office_time)


def _drop_prefix(clean: str) -> str:
    for prefix in phrases.PREFIXES:
        if clean.startswith(prefix + " "):
            return clean[len(prefix) + 1 :]
    return clean


def _drop_working_tail(clean: str) -> tuple[str, bool]:
    for tail in phrases.WORKING_TAILS:
        if clean.endswith(" " + tail):
            return clean[: -len(tail) - 1], True
    return clean, False


def _parse_term(text: str, clean: str, *, office_time: bool) -> DeadlineSpec:
    """«[в течение] N [рабочих|календарных] единиц [в период служебного времени]»."""
    body, tail_office = _drop_working_tail(_drop_prefix(clean))
    office_time = office_time or tail_office
    words = body.split(" ")
    if len(words) == 1 and words[0] in _HALF_HOUR:
        return _checked(text, DeadlineSpec(30, Unit.MINUTE, office_time, text), office_time)
    amount, words = _amount(text, body)
    if amount is None:
        if len(words) > 2 or words[-1] not in _SINGULAR_WITHOUT_NUMBER:
            raise DeadlineSpecError(text, "не найдено число")
        amount = 1
    if amount < 1:
        raise DeadlineSpecError(text, "срок должен быть не меньше 1")
    if not words or len(words) > 2:
        raise DeadlineSpecError(text, "ожидается «число [рабочих|календарных] единица»")
    return _with_unit(text, amount, words, office_time)


def _amount(text: str, body: str) -> tuple[int | None, list[str]]:
    """The number at the start (digits, words, or both) and the words after it."""
    if "(" in body or ")" in body:
        return _paren_amount(text, body)
    words = body.split(" ")
    digits = _DIGITS.match(words[0])
    if digits is not None:
        return int(digits.group(1)), words[1:]
    spelled = read_number(words)
    if spelled is None:
        return None, words
    value, taken = spelled
    return value, words[taken:]


def _paren_amount(text: str, body: str) -> tuple[int, list[str]]:
    """«2 (двух) рабочих дней»: the digits and the words must name the same number."""
    match = _PAREN.match(body)
    if match is None:
        raise DeadlineSpecError(text, "ожидается «2 (двух) рабочих дней»")
    first, second = match["a"].strip(), match["b"].strip()
    digits_first = _DIGITS.match(first)
    digits, words = (first, second) if digits_first else (second, first)
    number = _DIGITS.match(digits)
    spelled = read_number(words.split(" "))
    if number is None or spelled is None or spelled[1] != len(words.split(" ")):
        raise DeadlineSpecError(text, "в скобках ожидается то же число словами: «2 (двух)»")
    value, said = int(number.group(1)), spelled[0]
    if value != said:
        raise DeadlineSpecError(text, _disagreement(value, words, said))
    rest = match["rest"].strip()
    return value, rest.split(" ") if rest else []


def _disagreement(value: int, words: str, said: int) -> str:
    case = next((c for c in Case if spell(said, c) == words), Case.GENITIVE)
    right = spell(value, case) if 1 <= value <= 999 else str(value)
    return f"цифрами {value}, а словами «{words}» — это {said}; пишите «{value} ({right})»"


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
