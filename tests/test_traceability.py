"""Every row of each regulation's deadline table is a timer citing its clause."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.traceability import (
    DEADLINE_TABLE,
    DeadlineRow,
    DeadlineTableError,
    clause_index,
    load_deadline_table,
    timers_for,
    untraced_rows,
)
from engine.versions import parse_file
from tests.conftest import EXAMPLE_BPMN, PROCESSES

VERSIONS = sorted(path.parent for path in PROCESSES.glob("*/v*/*.bpmn"))


def _catalog(bpmn: Path) -> dict:
    return parse_file(bpmn).catalog


@pytest.mark.parametrize("version", VERSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_deadline_row_has_its_timer(version: Path) -> None:
    table = version / DEADLINE_TABLE
    assert table.exists(), f"{version} has no {DEADLINE_TABLE}"
    rows = load_deadline_table(table)
    (bpmn,) = version.glob("*.bpmn")
    assert rows and untraced_rows(rows, _catalog(bpmn)) == []


def test_a_row_without_a_timer_is_reported() -> None:
    catalog = _catalog(EXAMPLE_BPMN)
    present = DeadlineRow("Пример, п. 3", "draft_answer", "8 рабочих часов", name="draft_answer")
    missing = DeadlineRow("Пример, п. 9", "publish", "2 часа", name="publish_again")
    span = DeadlineRow("Пример, п. 6", "publish", "2 рабочих дня", name="answer", span=True)
    assert timers_for(catalog, present) == ["draft_deadline"]
    assert untraced_rows([present, missing, span], catalog) == [missing]


def test_an_old_table_row_is_traced_by_its_clause_and_text() -> None:
    catalog = _catalog(PROCESSES / "perm" / "v1" / "perm.bpmn")
    present = DeadlineRow("Пермь, п. 3.2.1", "draft_feed", "4 часа")
    wrong_unit = DeadlineRow("Пермь, п. 3.2.1", "draft_feed", "4 рабочих часа")
    assert timers_for(catalog, present) and untraced_rows([present, wrong_unit], catalog) == [
        wrong_unit
    ]


def test_clause_index_lists_lanes_and_elements() -> None:
    index = clause_index(_catalog(EXAMPLE_BPMN))
    assert index["Пример, п. 3"] == ["draft_answer", "draft_deadline", "draft_join", "executor"]


def test_malformed_table_is_refused(tmp_path: Path) -> None:
    table = tmp_path / DEADLINE_TABLE
    table.write_text("- clause: Пример, п. 2\n  step: screen\n", encoding="utf-8")
    with pytest.raises(DeadlineTableError, match="row 1"):
        load_deadline_table(table)
