"""The modeler's save keeps the file: every regulation survives a bpmn-js round trip unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.drafts.merge import merge_xml
from engine.drafts.store import DraftError
from engine.drafts.table_edit import set_terms
from tests.conftest import PROCESSES
from tests.web.modeler_helpers import exported

BPMN_FILES = sorted(PROCESSES.glob("*/*/*.bpmn"))


@pytest.mark.parametrize("bpmn", BPMN_FILES, ids=lambda path: path.parent.parent.name)
def test_an_unedited_round_trip_saves_the_same_bytes(bpmn: Path) -> None:
    original = bpmn.read_bytes()
    round_trip = exported(bpmn).encode("utf-8")
    assert round_trip != original  # bpmn-js reorders and reformats ...
    assert merge_xml(original, round_trip) == original  # ... the merge keeps the file


def test_added_and_removed_elements_keep_the_rest_in_place() -> None:
    original = b"""<?xml version="1.0" encoding="UTF-8"?>
<root xmlns="urn:x">
  <item id="a" name="A"/>
  <item id="b" name="B"/>
  <item id="c" name="C"/>
</root>
"""
    edited = b'<root xmlns="urn:x"><item id="c" name="C"/><item id="a" name="A2"/>' + (
        b'<item id="d" name="D"/></root>'
    )
    assert merge_xml(original, edited) == (
        b"""<?xml version="1.0" encoding="UTF-8"?>
<root xmlns="urn:x">
  <item id="a" name="A2"/>
  <item id="d" name="D"/>
  <item id="c" name="C"/>
</root>
"""
    )  # c keeps its place although the export moved it; d follows a, as in the export


def test_a_term_changes_one_line_of_the_table_and_unknown_rows_are_refused() -> None:
    table = "deadlines:\n  feed:  # п. 3\n    clause: п. 3\n    text: 4 часа  # note\n"
    assert set_terms(table, {"feed": "3 часа"}) == table.replace("4 часа", "3 часа")
    assert 'text: "1: час"' in set_terms(table, {"feed": "1: час"})
    with pytest.raises(DraftError, match="нет строки «other»"):
        set_terms(table, {"other": "1 час"})
    with pytest.raises(DraftError, match="одной строкой"):
        set_terms(table, {"feed": " "})
