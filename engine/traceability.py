"""Clause ↔ element traceability: which diagram elements implement which clauses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.deadlines import deadline_names
from engine.regulation.table import TableError, read_table

DEADLINE_TABLE = "deadlines.yaml"


@dataclass(frozen=True)
class DeadlineRow:
    """One row of a regulation's deadline table: the clause, the step, the deadline text.

    A row of a table by names (format 2) also has its name; a span row's step is its end step.
    """

    clause: str
    step: str
    deadline: str
    name: str | None = None
    span: bool = False


class DeadlineTableError(ValueError):
    """A deadline table file that cannot be read."""


def clause_index(catalog: dict[str, Any]) -> dict[str, list[str]]:
    """Each clause cited in the diagram → the lanes and elements that cite it."""
    index: dict[str, list[str]] = defaultdict(list)
    for lane in catalog["lanes"].values():
        for clause in lane["clauses"]:
            index[clause].append(lane["id"])
    for element in catalog["elements"].values():
        for clause in element["clauses"]:
            index[clause].append(element["id"])
    return {clause: sorted(ids) for clause, ids in sorted(index.items())}


def timers_for(catalog: dict[str, Any], row: DeadlineRow) -> list[str]:
    """Timer elements that name the row (or, in an old table, cite its clause and text)."""
    if row.name is not None:
        return sorted(
            element["id"]
            for element in catalog["elements"].values()
            if element["timer"] and row.name in deadline_names(element["timer"]["expression"])
        )
    return sorted(
        element["id"]
        for element in catalog["elements"].values()
        if element["timer"]
        and row.clause in element["clauses"]
        and row.deadline in element["timer"]["expression"]
    )


def untraced_rows(rows: list[DeadlineRow], catalog: dict[str, Any]) -> list[DeadlineRow]:
    """Rows of the deadline table that no timer implements (a span needs none: it ends a step)."""
    return [
        row
        for row in rows
        if not (row.span and row.step in catalog["elements"]) and not timers_for(catalog, row)
    ]


def load_deadline_table(path: Path) -> list[DeadlineRow]:
    """Read `deadlines.yaml` beside a BPMN file: a list of {clause, step, deadline}."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DeadlineTableError(f"{path}: {error}") from error
    if isinstance(raw, dict):
        return _named_rows(raw, path)
    if not isinstance(raw, list):
        raise DeadlineTableError(f"{path}: expected a list of rows")
    rows = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not all(
            item.get(k) for k in ("clause", "step", "deadline")
        ):
            raise DeadlineTableError(f"{path}: row {number}: needs clause, step and deadline")
        rows.append(DeadlineRow(str(item["clause"]), str(item["step"]), str(item["deadline"])))
    return rows


def _named_rows(raw: dict[str, Any], path: Path) -> list[DeadlineRow]:
    try:
        table = read_table(raw)
    except TableError as error:
        raise DeadlineTableError(f"{path}: {error}") from error
    return [
        DeadlineRow(
            rule.clause,
            (rule.until or rule.steps)[0],
            rule.text,
            name=rule.name,
            span=rule.is_span,
        )
        for rule in table.rules.values()
    ]
