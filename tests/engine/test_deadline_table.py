"""The deadline table: read with clear refusals, and checked against the diagram at deploy."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.parsing import DeployError
from engine.regulation.table import TableError, read_table, table_from_dict, table_to_dict
from engine.runtime import Runtime
from engine.versions import deploy_xml
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE

XML = EXAMPLE_BPMN.read_text(encoding="utf-8")
# Its conditions compare with the choices of its own forms.
EXAMPLE_FORMS = (EXAMPLE_BPMN.parent / "forms.yaml").read_bytes()


def _yaml(table: Any) -> bytes | None:
    return None if table is None else yaml.safe_dump(table, allow_unicode=True).encode()


TABLE: dict[str, Any] = yaml.safe_load(EXAMPLE_TABLE.read_text(encoding="utf-8"))


def _changed(**rows: Any) -> dict[str, Any]:
    table = copy.deepcopy(TABLE)
    for name, row in rows.items():
        if row is None:
            del table["deadlines"][name]
        else:
            table["deadlines"][name] = {**table["deadlines"].get(name, {}), **row}
    return table


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, xml: str, table: Any) -> None:
    with sessions.begin() as session:
        deploy_xml(
            session, runtime, xml.encode(), "x.bpmn", "admin",
            municipality="example", label="t", deadlines_yaml=_yaml(table),
            forms_yaml=EXAMPLE_FORMS,
        )  # fmt: skip


def test_the_example_table_reads_back_from_what_the_version_stores() -> None:
    table = read_table(TABLE)
    assert not table.legacy and set(table.rules) == {
        "screen", "draft_answer", "publish", "answer", "reply_wait", "monthly_analysis",
        "final_answer",
    }  # fmt: skip
    answer = table["answer"]
    assert answer.until == ("publish", "publish_intermediate")  # п. 9: either answer meets it
    assert answer.is_span and answer.start.kind == "received"
    final = table["final_answer"]  # п. 9: the extended term counts from the intermediate answer
    assert final.start.kind == "completed" and final.start.ref == "publish_intermediate"
    assert answer.pause is not None and answer.pause.while_ == ("await_reply",)
    assert table_from_dict(table_to_dict(table)) == table
    assert read_table([{"clause": "Пример, п. 2", "step": "screen", "deadline": "1 час"}]).legacy


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"colour": "red"}, "неизвестный ключ «colour»"),
        ({"clause": "пункт второй"}, "«clause»: пункт в виде «Город, п. N»"),
        ({"until": "publish"}, "либо «step»"),
        ({"from": "yesterday"}, "«from»: received, step_opened"),
        ({"counted": "lunar"}, "«counted»: одно из working, calendar"),
        ({"pause": {"while": "await_reply", "mode": "forever"}}, "«pause.mode»"),
        ({"kind": "wish"}, "«kind»: одно из duty, wait"),
        ({"from": {"deadline": "nope"}}, "ссылается на неизвестный срок"),
        ({"remind": {"before": "1 час"}}, "«remind»: {before"),
    ],
)
def test_a_malformed_row_is_refused_naming_the_row_and_key(
    row: dict[str, Any], message: str
) -> None:
    with pytest.raises(TableError, match=message) as refused:
        read_table(_changed(screen=row))
    assert "срок «screen»" in str(refused.value)


def test_a_row_name_must_be_an_identifier_and_a_table_a_mapping() -> None:
    with pytest.raises(TableError, match="имя срока"):
        read_table({"deadlines": {"Срок-1": TABLE["deadlines"]["screen"]}})
    with pytest.raises(TableError, match="ожидается «deadlines:»"):
        read_table({"rows": []})


@pytest.mark.parametrize(
    ("xml", "table", "element", "message"),
    [
        (
            XML.replace('deadline("publish")', 'deadline(last_completed_at, "30 рабочих минут")'),
            TABLE,
            "publish_deadline",
            "срок записан текстом в диаграмме",
        ),
        (XML.replace('deadline("screen")', 'deadline("nope")'), TABLE, "screen_deadline", "«nope»"),
        (XML, None, "screen_deadline", "таблицы сроков по именам у версии нет"),
        (
            XML,
            _changed(route={"clause": "Пример, п. 2", "text": "1 час", "step": "route"}),
            None,
            "не назначен ни одному таймеру",
        ),
        (XML, _changed(publish={"step": "review"}), "publish_deadline", "относится к шагам review"),
        (XML, _changed(reply_wait={"kind": "duty"}), "reply_timeout", "обязанность, а таймер"),
        (XML, _changed(screen={"text": "восемь попугаев"}), None, "Не удалось прочитать срок"),
        (XML, _changed(draft_answer={"counted": "calendar"}), None, "рабочее время, а в таблице"),
        (XML, _changed(draft_answer={"notify": ["mayor"]}), None, "неизвестной роли «mayor»"),
        (XML, _changed(answer={"until": "nowhere"}), None, "элемент «nowhere»"),
        (XML, _changed(answer={"pause": {"while": "sleep"}}), None, "«pause.while»"),
    ],
)
def test_deploy_refuses_a_diagram_and_table_that_disagree(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    xml: str,
    table: Any,
    element: str | None,
    message: str,
) -> None:
    with pytest.raises(DeployError, match=message) as refused:
        _deploy(sessions, runtime, xml, table)
    assert refused.value.element_id == element


def test_a_table_that_agrees_deploys_and_is_stored(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _deploy(sessions, runtime, XML, TABLE)
