"""A case's rows as an advance committed them, kept beside its live workflow (engine/live.py).

Only advances write a case's deadline rows and its open-task rows (a version migration changes
the state as well, and a claim writes only the assignee, which is not kept): while the case row
carries the revision and state that advance committed, its rows are exactly these, and the next
advance takes them as persistent objects of its session without reading them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

Rows = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RowKind:
    """A table of per-case rows an advance keeps: which columns, and how to rebuild a row."""

    columns: tuple[str, ...]
    primary_key: str
    mutable: frozenset[str]  # JSON columns: each advance gets its own copy
    server_set: frozenset[str]  # a value the database chose when the row was inserted
    new_instance: Callable[[], Any]
    identity_key: Callable[..., Any]


def row_kind(
    model: type[Any], *, not_kept: Sequence[str] = (), mutable: Sequence[str] = ()
) -> RowKind:
    """The kind of `model`'s rows; `not_kept` columns are read again when they are used."""
    mapper = inspect(model)
    attributes = [a for a in mapper.column_attrs if a.key != "_sentinel" and a.key not in not_kept]
    return RowKind(
        columns=tuple(a.key for a in attributes),
        primary_key=mapper.primary_key[0].key,
        mutable=frozenset(mutable),
        server_set=frozenset(
            a.key
            for a in attributes
            if any(c.server_default is not None or c.server_onupdate is not None for c in a.columns)
        ),
        new_instance=mapper.class_manager.new_instance,
        identity_key=mapper.identity_key_from_primary_key,
    )


def committed(kind: RowKind, objects: Sequence[Any]) -> Rows | None:
    """The kept columns of rows just committed (None when any is not exactly known)."""
    rows = []
    for obj in objects:
        state = inspect(obj)
        values = state.dict
        if not state.persistent or state.modified or state.expired_attributes & set(kind.columns):
            return None
        # A column a new row never set was inserted as NULL, unless the database chose it.
        if kind.server_set - values.keys():
            return None
        rows.append({key: values.get(key) for key in kind.columns})
    return tuple(rows)


def attached(session: Session, kind: RowKind, rows: Rows | None) -> list[Any] | None:
    """The rows as persistent objects of `session`, without a query (None: read them)."""
    if rows is None:
        return None
    objects = []
    for values in rows:
        key = kind.identity_key((values[kind.primary_key],))
        if session.identity_map.get(key) is not None:
            return None  # this transaction read the row already: that object is the one to use
        # Built as a query's loader builds an object (no constructor, no attribute events),
        # then marked as loaded: no history, nothing to flush; a column not kept is expired.
        obj = kind.new_instance()
        obj.__dict__.update(values)
        for name in kind.mutable:
            obj.__dict__[name] = copy.deepcopy(values[name])
        make_transient_to_detached(obj)
        objects.append(obj)
    session.add_all(objects)
    return objects
