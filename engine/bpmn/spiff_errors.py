"""SpiffWorkflow's parse errors rewritten where they mislead, in Russian, naming the element."""

from __future__ import annotations

import re
from collections.abc import Callable

Rewrite = Callable[[re.Match[str]], str]

# pattern of SpiffWorkflow's (or lxml's schema) message → the Russian a lawyer can act on
REWRITES: list[tuple[re.Pattern[str], Rewrite]] = []


def rewrite(pattern: str) -> Callable[[Rewrite], Rewrite]:
    """Register a rewrite of the messages matching `pattern`."""

    def decorate(function: Rewrite) -> Rewrite:
        REWRITES.append((re.compile(pattern, re.S), function))
        return function

    return decorate


@rewrite(r"perhaps a form has the same ID\? \((?P<ref>[^)]*)\)")
def _missing_target(match: re.Match[str]) -> str:
    return (
        f"переход ведёт к элементу «{match['ref']}», которого нет в диаграмме "
        "(или два элемента носят один идентификатор)"
    )


@rewrite(r"attribute '(?P<attribute>\w+)': '(?P<value>[^']*)' is not a valid value of .*'xs:ID'")
def _duplicate_id(match: re.Match[str]) -> str:
    return (
        f"идентификатор «{match['value']}» повторяется (или недопустим): у каждого элемента "
        "диаграммы свой идентификатор из латинских букв, цифр и _"
    )


@rewrite(
    r"Element '\{[^}]*\}(?P<tag>\w+)', attribute '(?P<attribute>[^']+)': "
    r"The attribute .*not allowed"
)
def _unknown_attribute(match: re.Match[str]) -> str:
    return f"у элемента {match['tag']} недопустимый атрибут «{match['attribute']}»"


def russian(message: str) -> str:
    """SpiffWorkflow's message in Russian: rewritten when known, else quoted as it is."""
    for pattern, function in REWRITES:
        match = pattern.search(message)
        if match:
            return function(match)
    return f"SpiffWorkflow не принял диаграмму: {message.strip().rstrip('.')}"
