"""Every row of each regulation's deadline table is a timer citing its clause."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.catalog import parse_xml
from engine.traceability import (
    DEADLINE_TABLE,
    DeadlineRow,
    DeadlineTableError,
    clause_index,
    load_deadline_table,
    timers_for,
    uncited_elements,
    untabled_timers,
    untraced_rows,
)
from engine.versions import parse_file
from tests.conftest import EXAMPLE_BPMN, PROCESSES

# Perm before its remodelling (issue 11): the old deadline table format these tests exercise.
PERM = Path(__file__).parent / "fixtures" / "perm_old_table" / "v1" / "perm.bpmn"
PERM_ROUTE_TIMER = 'deadline(received_at, "1 час")</bpmn:timeDate>'

VERSIONS = sorted(path.parent for path in PROCESSES.glob("*/v*/*.bpmn"))


def _catalog(bpmn: Path) -> dict:
    return parse_file(bpmn).catalog


@pytest.mark.parametrize("version", VERSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_deadline_row_has_its_timer_and_every_timer_term_its_row(version: Path) -> None:
    table = version / DEADLINE_TABLE
    assert table.exists(), f"{version} has no {DEADLINE_TABLE}"
    rows = load_deadline_table(table)
    (bpmn,) = version.glob("*.bpmn")
    catalog = _catalog(bpmn)
    assert rows and untraced_rows(rows, catalog) == []
    assert untabled_timers(rows, catalog) == []


@pytest.mark.parametrize("version", VERSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_step_wait_deadline_and_decision_cites_a_clause(version: Path) -> None:
    (bpmn,) = version.glob("*.bpmn")
    assert uncited_elements(_catalog(bpmn), parse_xml(bpmn.read_bytes())) == []


def _perm_with_route_timer(tmp_path: Path, term: str) -> dict:
    """Perm's diagram with the route's «1 час» timer (п. 3.1) rewritten; the screen's stays."""
    text = PERM.read_text(encoding="utf-8")
    route = text.index('id="route_deadline"')
    at = text.index(PERM_ROUTE_TIMER, route)
    changed = (
        text[:at] + PERM_ROUTE_TIMER.replace("1 час", term) + text[at + len(PERM_ROUTE_TIMER) :]
    )
    bpmn = tmp_path / "perm" / "v1" / "perm.bpmn"
    bpmn.parent.mkdir(parents=True)
    bpmn.write_text(changed, encoding="utf-8")
    return _catalog(bpmn)


def test_a_one_hour_row_is_not_an_eleven_hours_timer(tmp_path: Path) -> None:
    catalog = _perm_with_route_timer(tmp_path, "11 часов")
    row = DeadlineRow("Пермь, п. 3.1", "route", "1 час")
    assert timers_for(catalog, row) == []  # «1 час» is a substring of «11 часов», not its term
    rows = load_deadline_table(PERM.parent / DEADLINE_TABLE)
    assert untraced_rows(rows, catalog) == [row]
    assert untabled_timers(rows, catalog) == [("route_deadline", "11 часов")]


def test_a_changed_timer_does_not_hide_behind_another_citing_the_same_clause(
    tmp_path: Path,
) -> None:
    catalog = _perm_with_route_timer(tmp_path, "2 часа")
    rows = load_deadline_table(PERM.parent / DEADLINE_TABLE)
    screen, route = (r for r in rows if r.clause == "Пермь, п. 3.1")
    assert timers_for(catalog, screen) == ["screen_deadline"]  # same clause, same text
    assert untraced_rows(rows, catalog) == [route]


def test_a_row_on_another_step_is_not_traced_by_a_timer_with_its_term() -> None:
    row = DeadlineRow("Пермь, п. 3.5", "review_answer", "30 минут")
    assert timers_for(_catalog(PERM), row) == []  # review_deadline cites п. 3.7, not п. 3.5
    assert timers_for(_catalog(PERM), DeadlineRow("Пермь, п. 3.5", "publish", "30 минут")) == [
        "publish_deadline"
    ]


def test_a_row_without_a_timer_is_reported() -> None:
    catalog = _catalog(EXAMPLE_BPMN)
    present = DeadlineRow("Пример, п. 3", "draft_answer", "8 рабочих часов", name="draft_answer")
    missing = DeadlineRow("Пример, п. 9", "publish", "2 часа", name="publish_again")
    span = DeadlineRow("Пример, п. 6", "publish", "2 рабочих дня", name="answer", span=True)
    assert timers_for(catalog, present) == ["draft_deadline"]
    assert untraced_rows([present, missing, span], catalog) == [missing]


def test_an_old_table_row_is_traced_by_its_clause_and_text() -> None:
    catalog = _catalog(PERM)
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
