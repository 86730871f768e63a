"""Deadline words whose meaning the regulation must fix, and the readings offered for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from engine.worktime import phrases


class Reading(NamedTuple):
    """One way to read an ambiguous deadline: a text parse_deadline reads, and its gloss."""

    text: str
    gloss: str


@dataclass(frozen=True)
class _Entry:
    """Texts a matcher recognises, their readings, and whether parse_deadline has a default."""

    matches: Callable[[str], bool]
    readings: tuple[Reading, ...]
    has_default: bool


SAME_WORKING_DAY = Reading(
    "до конца текущего рабочего дня",
    "до закрытия того же рабочего дня; поступившее после закрытия или в выходной — до закрытия "
    "следующего рабочего дня",
)
ONE_WORKING_DAY = Reading(
    "1 рабочий день",
    "один рабочий день по ГК РФ (ст. 191, 194): начинается на следующий день, истекает при "
    "закрытии следующего рабочего дня",
)
_ENTRIES = (
    # Palana 10: «в течение рабочего дня». Read today as the same working day (unchanged).
    _Entry(
        lambda head: head in phrases.WITHIN_THE_WORKING_DAY,
        (SAME_WORKING_DAY, ONE_WORKING_DAY),
        has_default=True,
    ),
    # Myasnikovsky 13: «незамедлительному докладу».
    _Entry(
        phrases.is_immediate,
        (
            Reading("30 рабочих минут", "30 минут рабочего времени"),
            Reading("1 рабочий час", "1 час рабочего времени"),
            SAME_WORKING_DAY,
        ),
        has_default=False,
    ),
    _Entry(
        phrases.is_prompt,
        (Reading("1 рабочий час", "1 час рабочего времени"), SAME_WORKING_DAY, ONE_WORKING_DAY),
        has_default=False,
    ),
    _Entry(
        lambda head: head in phrases.WITHIN_A_DAY,
        (SAME_WORKING_DAY, ONE_WORKING_DAY, Reading("24 часа", "сутки: 24 часа подряд")),
        has_default=False,
    ),
)


def _head(clean: str) -> str:
    """The term without the event it runs from («… с момента поступления»)."""
    match = phrases.FROM_TAIL.match(clean)
    if match is None:
        return clean
    # «в течение дня, следующего за днем …» names the next day: nothing to choose.
    return "" if match["connector"] == phrases.NEXT_DAY_AFTER else match["head"]


def _entry(clean: str) -> _Entry | None:
    head = _head(clean)
    return next((entry for entry in _ENTRIES if entry.matches(head)), None)


def deadline_readings(text: str) -> tuple[Reading, ...]:
    """The plausible readings of a text whose meaning the regulation must fix; () otherwise."""
    entry = _entry(phrases.normalize(text)) if isinstance(text, str) else None
    return entry.readings if entry else ()


def reading_required(clean: str) -> tuple[Reading, ...]:
    """For a normalised text with no reading of its own, the readings to choose from; else ()."""
    entry = _entry(clean)
    return entry.readings if entry and not entry.has_default else ()
