"""Clause ↔ element traceability: which diagram elements implement which clauses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.bpmn.catalog import BPMN_NS
from engine.deadlines import deadline_calls, deadline_names
from engine.regulation.table import DeadlineTable, TableError, read_table
from engine.worktime import DeadlineSpec, DeadlineSpecError, parse_deadline

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
    """Timer elements that implement the row: by its name, or (old table) by step and term."""
    # An old table's row is the timers on the row's own step citing its clause and writing
    # exactly its term, parsed: «1 час» is not «11 часов», and another step's timer citing the
    # same clause does not stand in for a changed one.
    if row.name is not None:
        return sorted(
            element["id"]
            for element in catalog["elements"].values()
            if element["timer"] and row.name in deadline_names(element["timer"]["expression"])
        )
    wanted = _spec(row.deadline)
    return sorted(
        element["id"]
        for element in catalog["elements"].values()
        if element["timer"]
        and element["attached_to"] == row.step
        and row.clause in element["clauses"]
        and wanted is not None
        and wanted in timer_specs(element["timer"]["expression"])
    )


def timer_specs(expression: str) -> list[DeadlineSpec]:
    """Every term an old-format timer expression writes, parsed (unreadable ones left out)."""
    found = (_spec(term) for call in deadline_calls(expression) for term in call.terms)
    return [spec for spec in found if spec is not None]


def _spec(text: str) -> DeadlineSpec | None:
    try:
        return parse_deadline(text)
    except DeadlineSpecError:
        return None


def untabled_timers(rows: list[DeadlineRow], catalog: dict[str, Any]) -> list[tuple[str, str]]:
    """(timer, term) of an old table's diagram that no row of the timer's step lists."""
    if any(row.name is not None for row in rows):
        return []  # a table by names: the deploy refuses terms written in the diagram
    listed: dict[str, list[DeadlineSpec]] = defaultdict(list)
    for row in rows:
        spec = _spec(row.deadline)
        if spec is not None:
            listed[row.step].append(spec)
    missing = []
    for element in catalog["elements"].values():
        if not element["timer"]:
            continue
        for call in deadline_calls(element["timer"]["expression"]):
            for term in call.terms:
                spec = _spec(term)
                if spec is not None and spec not in listed[element["attached_to"] or ""]:
                    missing.append((element["id"], term))
    return sorted(missing)


def cited_clauses(catalog: dict[str, Any], table: DeadlineTable) -> set[str]:
    """Clauses a version cites: by its elements, its lanes and its deadline rows."""
    found = set(clause_index(catalog))
    for rule in table.rules.values():
        found.update(part.strip() for part in rule.clause.split(";"))
    return found


# Elements that do something the document must ground: steps, waits, deadlines, decisions.
# Plumbing cites nothing: end events, throws, parallel splits and joins, merging gateways.
MUST_CITE = frozenset(
    {"userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "task"}
    | {"businessRuleTask", "callActivity", "subProcess", "startEvent", "intermediateCatchEvent"}
    | {"boundaryEvent"}
)
DECISIONS = frozenset({"exclusiveGateway", "inclusiveGateway", "eventBasedGateway"})


def uncited_elements(catalog: dict[str, Any], root: Any) -> list[str]:
    """Elements that must cite a clause and cite none (a decision: a gateway that splits)."""
    outgoing: dict[str, int] = defaultdict(int)
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        outgoing[flow.get("sourceRef")] += 1
    return [
        element["id"]
        for element in catalog["elements"].values()
        if not element["clauses"]
        and (
            element["type"] in MUST_CITE
            or (element["type"] in DECISIONS and outgoing[element["id"]] > 1)
        )
    ]


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
