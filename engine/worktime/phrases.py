"""The words around a deadline in legal Russian: leads, tails, anchors, words needing a reading."""

from __future__ import annotations

import re

_QUOTES = "«»\"'„“”"

# A leading word or phrase that does not change the term. Longest first, so «не позднее чем
# через» is not cut as «не позднее».
PREFIXES = (
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
# «… в период служебного времени» (Perm 3.3): the hours are working hours.
WORKING_TAILS = (
    "в период служебного времени",
    "служебного времени",
    "в рабочее время",
    "рабочего времени",
)
# «… с момента поступления сообщения Исполнителю»: the event the term runs from. The event is
# kept as `from_phrase`; the connector itself does not change the count (Civil Code art. 191).
FROM_TAIL = re.compile(
    r"^(?P<head>.+?),?(?: (?:считая|начиная))? "
    r"(?P<connector>с момента|со дня|с даты|со времени|после|следующего за днем) (?P<event>.+)$"
)
# «не позднее рабочего дня, следующего за днем поступления»: the end of the next working day.
NEXT_DAY_AFTER = "следующего за днем"
# «за 4 часа до истечения срока, указанного в п. 8»: the named deadline after «до».
ANCHOR = re.compile(r"^(?P<term>.+?) до (?:(?:истечения|окончания|наступления|конца) )?(?P<a>.+)$")

END_OF_DAY = frozenset(
    {"в течение рабочего дня", "в течении рабочего дня", "в течение текущего рабочего дня"}
    | {"в течении текущего рабочего дня", "до конца рабочего дня", "до окончания рабочего дня"}
    | {"до конца текущего рабочего дня", "до окончания текущего рабочего дня"}
)
END_OF_NEXT_DAY = frozenset(
    {"не позднее следующего рабочего дня", "следующего рабочего дня"}
    | {"до конца следующего рабочего дня", "до окончания следующего рабочего дня"}
    | {"в течение следующего рабочего дня", "в течении следующего рабочего дня"}
    | {"на следующий рабочий день", "следующий рабочий день"}
)
# Heads before «, следующего за днем …»: a working day or a (calendar) day.
WORKING_DAY_HEADS = frozenset(
    {"не позднее рабочего дня", "рабочего дня", "в течение рабочего дня"}
    | {"до конца рабочего дня", "до окончания рабочего дня", "в течении рабочего дня"}
)
DAY_HEADS = frozenset({"не позднее дня", "дня", "в течение дня", "до конца дня"})

# Words that set no term of their own: the regulation's deadline table must declare a reading.
IMMEDIATE_STEMS = ("незамедлительн", "немедленн", "безотлагательн", "срочн")
IMMEDIATE_PHRASES = frozenset(
    {"сразу", "без промедления", "без задержки", "в приоритетном порядке"}
)
PROMPT_PHRASES = frozenset(
    {
        "в оперативном порядке",
        "в кратчайший срок",
        "в кратчайшие сроки",
        "в максимально короткий срок",
        "в максимально короткие сроки",
        "в возможно короткий срок",
        "в возможно короткие сроки",
        "в разумный срок",
    }
)
WITHIN_A_DAY = frozenset({"в течение дня", "в течении дня"})
WITHIN_THE_WORKING_DAY = frozenset({"в течение рабочего дня", "в течении рабочего дня"})
PERIODIC = frozenset({"ежедневно", "еженедельно", "ежемесячно", "ежеквартально", "ежегодно"})


def is_immediate(body: str) -> bool:
    """«незамедлительно», «немедленно», «срочно» and their adjectives («незамедлительному»)."""
    words = body.split(" ")
    return body in IMMEDIATE_PHRASES or (
        len(words) <= 2 and any(words[0].startswith(stem) for stem in IMMEDIATE_STEMS)
    )


def is_prompt(body: str) -> bool:
    """«оперативно», «в кратчайший срок» and the like."""
    return body in PROMPT_PHRASES or body.startswith("оперативн")


def normalize(text: str, *, keep_case: bool = False) -> str:
    """Lower case, «е» for «ё», single spaces, no wrapping quotes or final full stop."""
    clean = text.replace("ё", "е").replace("Ё", "Е").replace("\u00a0", " ")
    clean = clean if keep_case else clean.lower()
    clean = re.sub(r"\s+", " ", clean).strip().rstrip(".,;").strip()
    clean = _unquote(clean).rstrip(".,;").strip()
    # «не позднее, чем через» is the same lead as «не позднее чем через».
    return clean.replace(", чем ", " чем ")


def _unquote(clean: str) -> str:
    """Drop quotes around the whole text, keeping quotes inside («в подсистему «Система»»)."""
    while len(clean) >= 2 and clean[0] in _QUOTES and clean[-1] in _QUOTES:
        clean = clean[1:-1].strip()
    if clean[:1] in _QUOTES and not any(q in clean[1:] for q in _QUOTES):
        clean = clean[1:].strip()
    if clean[-1:] in _QUOTES and not any(q in clean[:-1] for q in _QUOTES):
        clean = clean[:-1].strip()
    return clean
