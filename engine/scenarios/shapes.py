"""Reading scenario values: each reader returns a clean value or says what is wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.bpmn.catalog import clauses_in
from engine.scenarios.readable import shown

Read = Callable[[Any], Any]


class ShapeError(ValueError):
    """A scenario value of the wrong shape; the loader adds the file and the step."""


def text(value: Any) -> str:
    """A non-empty string (a YAML number such as 42 is read as its text)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise ShapeError(f"expected a text, got {shown(value)}")
    return str(value)


def flag(value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise ShapeError(f"expected true or false, got {shown(value)}")
    return value


def count(value: Any) -> int:
    """A whole number ≥ 0; 0 means none."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ShapeError(f"count must be a whole number ≥ 0, got {shown(value)}")
    return value


def moment(value: Any) -> datetime:
    """An ISO moment with a UTC offset: 2026-03-16T09:30:00+03:00."""
    if isinstance(value, datetime):
        found = value
    else:
        try:
            found = datetime.fromisoformat(str(value))
        except ValueError as error:
            raise ShapeError(f"{shown(value)} is not an ISO datetime") from error
    if found.tzinfo is None:
        raise ShapeError(f"{shown(value)} needs a UTC offset, e.g. 2026-03-16T09:30:00+03:00")
    return found


def moment_or_none(value: Any) -> datetime | None:
    """A moment, or null for «no due moment»."""
    return None if value is None else moment(value)


def clause(value: Any) -> str:
    """One clause, normalised as the catalog cites it: «Пермь, п. 3.1»."""
    found = clauses_in(text(value))
    if len(found) != 1:
        raise ShapeError(f"{shown(value)} is not one clause written «Город, п. N»")
    return found[0]


def mapping(value: Any) -> dict[str, Any]:
    """A mapping of names to values (form data)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ShapeError(f"expected a mapping of names to values, got {shown(value)}")
    return dict(value)


def anything(value: Any) -> Any:
    """Any value (the key's presence is what counts)."""
    return value


@dataclass(frozen=True)
class Shape:
    """A mapping whose keys each have a reader; a scalar stands for `shorthand`, `true` for `{}`."""

    fields: Mapping[str, Read]
    shorthand: str | None = None
    true_means_empty: bool = False
    required: tuple[str, ...] = field(default=())

    def __call__(self, value: Any) -> dict[str, Any]:
        if value is True and self.true_means_empty:
            return {}
        if not isinstance(value, dict):
            if self.shorthand is None or isinstance(value, bool | list) or value is None:
                raise ShapeError(f"expected a mapping with keys {_names(self.fields)}")
            value = {self.shorthand: value}
        unknown = sorted(set(value) - set(self.fields))
        if unknown:
            raise ShapeError(f"unknown keys {unknown}; known: {_names(self.fields)}")
        missing = [key for key in self.required if key not in value]
        if missing:
            raise ShapeError(f"missing {missing}")
        return {key: self._read(key, item) for key, item in value.items()}

    def _read(self, key: str, value: Any) -> Any:
        try:
            return self.fields[key](value)
        except ShapeError as error:
            raise ShapeError(f"{key}: {error}") from error


def choice(*choices: str) -> Read:
    """One of the given words."""

    def read(value: Any) -> str:
        if value not in choices:
            raise ShapeError(f"expected one of {', '.join(choices)}, got {shown(value)}")
        return str(value)

    return read


def _names(fields: Mapping[str, Read]) -> str:
    return ", ".join(fields)


DUES: dict[str, Read] = {"due": moment_or_none, "due_by": moment, "due_after": moment}
