"""The regulation editor: who opens it, live checks, drafts saved by revision, stable XML."""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from engine.drafts.store import draft_by_label
from engine.runtime import Runtime
from engine.versioning.listing import version_rows
from engine.versions import deploy_file
from tests.conftest import PROCESSES
from tests.web.conftest import login, on_both_databases
from tests.web.modeler_helpers import PERM_BPMN, PERM_TABLE, add_staff, exported
from tests.web.test_versions_admin import _admin


@pytest.fixture
def staff(sessions: sessionmaker[Session]) -> None:
    add_staff(sessions)


def _draft(client: FlaskClient, label: str = "v2") -> None:
    answer = client.post("/modeler/drafts", data={"base": "v1", "label": label})
    assert answer.status_code == 302, answer.text


def _changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.usefixtures("staff")
def test_only_legal_staff_and_administrators_of_the_town_open_it(app: Flask) -> None:
    legal = login(app.test_client(), "perm.legal")
    assert "Редактор регламента" in legal.get("/modeler/").text
    _draft(legal)
    assert legal.get("/modeler/v2").status_code == 200
    admin = login(app.test_client(), "perm.admin")
    assert admin.get("/modeler/v2").status_code == 200
    for user in ("perm", "curator", "head"):  # curators and heads: no
        client = login(app.test_client(), user)
        assert client.get("/modeler/").status_code == 403
        assert client.get("/modeler/v2").status_code == 403
        assert client.post("/modeler/v2/save", json={"xml": "<a/>"}).status_code == 403
        assert "Редактор регламента" not in client.get("/tasks/").text
    other = login(app.test_client(), "example.legal")  # another town's draft is not there
    assert other.get("/modeler/v2").status_code == 404
    assert other.get("/modeler/v2/diagram.bpmn").status_code == 404
    assert other.post("/modeler/v2/check", json={"xml": "<a/>"}).status_code == 404
    assert other.post("/modeler/v2/save", json={"xml": "<a/>", "revision": 1}).status_code == 404
    assert other.post("/modeler/drafts", data={"base": "v7", "label": "v9"}).status_code == 404


@pytest.mark.usefixtures("staff")
def test_the_live_check_marks_what_deploy_would_refuse(app: Flask) -> None:
    client = login(app.test_client(), "perm.legal")
    _draft(client)
    saved = client.get("/modeler/v2/diagram.bpmn").text
    good = client.post("/modeler/v2/check", json={"xml": saved}).get_json()
    assert good["accepted"] and good["problems"] == []
    assert "Пермь, п. 3.2.1" in good["clauses"]["draft_feed"]
    wrong = exported(PERM_BPMN, "draft_feed_deadline", 'deadline("no_such_row")')
    answer = client.post("/modeler/v2/check", json={"xml": wrong}).get_json()
    assert not answer["accepted"]
    assert "draft_feed_deadline" in {problem["element_id"] for problem in answer["problems"]}
    assert "no_such_row" in answer["problems"][0]["message"]
    three = {"xml": saved, "deadline_texts": {"draft_feed": "3 часа"}}
    rows = {
        row["name"]: row for row in client.post("/modeler/v2/check", json=three).json["deadlines"]
    }
    assert "срок: пятница, 13 марта 2026 г., 20:30" in rows["draft_feed"]["example"]  # 17:30 + 3 ч
    assert rows["draft_feed"]["steps"] == ["Подготовить ответ в ленте"]
    term = {"xml": saved, "deadline_texts": {"draft_feed": "4 попугая"}}
    answer = client.post("/modeler/v2/check", json=term).get_json()
    assert not answer["accepted"] and "4 попугая" in answer["problems"][0]["message"]
    broken = client.post("/modeler/v2/check", json={"xml": "<bpmn:definitions"})
    assert broken.status_code == 400 and "не корректный XML" in broken.get_json()["error"]
    empty = client.post("/modeler/v2/check", json={})
    assert empty.status_code == 400 and "не передана" in empty.get_json()["error"]


@pytest.mark.usefixtures("staff")
def test_one_deadline_edited_through_the_save_path_is_a_one_line_diff(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    client = login(app.test_client(), "perm.legal")
    _draft(client)
    edited = exported(PERM_BPMN, "draft_feed_deadline", 'deadline("draft_private")')
    assert len(_changed_lines(PERM_BPMN.read_text(), edited)) > 100  # what bpmn-js writes
    body = {"xml": edited, "revision": 1, "deadline_texts": {"draft_feed": "3 часа"}}
    saved = client.post("/modeler/v2/save", json=body)
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2
    with sessions() as session:
        draft = draft_by_label(session, "perm", "v2")
        assert draft is not None
        xml, table = draft.bpmn_xml, draft.deadlines_yaml or ""
    assert _changed_lines(PERM_BPMN.read_text(), xml) == [
        '-          <bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("draft_feed")'
        "</bpmn:timeDate>",
        '+          <bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("draft_private")'
        "</bpmn:timeDate>",
    ]
    expected = ["-    text: 4 часа", "+    text: 3 часа"]
    assert _changed_lines(PERM_TABLE.read_text(), table) == expected


@on_both_databases
@pytest.mark.usefixtures("staff")
def test_the_second_save_of_the_same_revision_is_refused_and_nothing_is_lost(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    first, second = login(app.test_client(), "perm.legal"), login(app.test_client(), "perm.admin")
    _draft(first)
    original = first.get("/modeler/v2/diagram.bpmn").text
    mine = exported(PERM_BPMN, "draft_feed_deadline", 'deadline("draft_private")')
    assert first.post("/modeler/v2/save", json={"xml": mine, "revision": 1}).status_code == 200
    theirs = exported(PERM_BPMN, "draft_private_deadline", 'deadline("draft_feed")')
    stale = second.post("/modeler/v2/save", json={"xml": theirs, "revision": 1})
    assert stale.status_code == 409
    assert "уже сохранил perm.legal (редакция 2)" in stale.get_json()["error"]
    with sessions() as session:
        draft = draft_by_label(session, "perm", "v2")
        assert draft is not None and draft.revision == 2
        assert 'deadline("draft_private")</bpmn:timeDate>' in draft.bpmn_xml
        assert draft.bpmn_xml.count('deadline("draft_feed")</bpmn:timeDate>') == 0
    assert original.count('deadline("draft_feed")</bpmn:timeDate>') == 1
    no_revision = second.post("/modeler/v2/save", json={"xml": theirs})
    assert no_revision.status_code == 400 and "редакцию" in no_revision.get_json()["error"]
    taken = second.post("/modeler/drafts", data={"base": "v1", "label": "v2"})
    assert taken.status_code == 400 and "уже есть" in taken.text


@pytest.mark.usefixtures("staff")
def test_a_draft_runs_its_scenarios_and_deploys_inactive(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    client = login(app.test_client(), "perm.admin")
    _draft(client)
    saved = client.get("/modeler/v2/diagram.bpmn").text
    shorter = {"xml": saved, "deadline_texts": {"draft_feed": "3 часа"}}
    failing = client.post("/modeler/v2/scenarios", json=shorter).get_json()  # not saved yet
    assert failing["failed"] >= 1
    assert any("draft_feed" in (r["failure"] or "") for r in failing["results"] if not r["passed"])
    assert client.post("/modeler/v2/scenarios", json={}).status_code == 400
    body = {**shorter, "revision": 1}
    assert client.post("/modeler/v2/save", json=body).status_code == 200
    refused = client.post("/modeler/v2/deploy", data={"confirm": "1"})
    assert refused.status_code == 400 and "scenario(s) failed" in refused.text
    body = {"xml": saved, "revision": 2, "deadline_texts": {"draft_feed": "4 часа"}}
    assert client.post("/modeler/v2/save", json=body).status_code == 200
    passing = client.post("/modeler/v2/scenarios", json={"xml": saved}).get_json()
    assert passing["failed"] == 0 and len(passing["results"]) >= 5
    assert client.post("/modeler/v2/deploy", data={}).status_code == 400  # not confirmed
    done = client.post("/modeler/v2/deploy", data={"confirm": "1"})
    assert done.status_code == 302
    with sessions() as session:
        assert [(row.label, row.active) for row in version_rows(session, "perm")] == [("v2", False)]
        assert draft_by_label(session, "perm", "v2") is None


@pytest.mark.usefixtures("staff")
def test_the_step_forms_are_edited_checked_tested_and_saved_with_the_draft(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    client = login(app.test_client(), "perm.legal")
    _draft(client)
    assert 'id="modeler-forms"' in client.get("/modeler/v2").text
    saved = client.get("/modeler/v2/diagram.bpmn").text
    with sessions() as session:
        forms = draft_by_label(session, "perm", "v2").forms_yaml  # type: ignore[union-attr]
    photos = "        label: Фотоматериалы (п. 3.4)\n        required: true\n"
    assert photos in forms
    wrong = forms.replace(
        "        kind: photos\n        label: Фотоматериалы (п. 3.4)\n        required: true",
        "        kind: selfie\n        label: Фотоматериалы (п. 3.4)\n        required: true",
    )
    answer = client.post("/modeler/v2/check", json={"xml": saved, "forms_yaml": wrong}).get_json()
    assert not answer["accepted"] and "selfie" in answer["problems"][0]["message"]
    # A field every photo answer must now fill: the scenarios that do not fill it fail.
    asked = "        errors: {required: Приложите фотоматериалы (п. 3.4).}\n"
    place = "      - {name: photo_place, kind: text, label: Где сделаны снимки, required: true}\n"
    stricter = forms.replace(asked, asked + place, 1)  # the photo answer's form, the first
    checked = client.post("/modeler/v2/check", json={"xml": saved, "forms_yaml": stricter}).json
    assert checked["accepted"], checked["problems"]
    tested = client.post("/modeler/v2/scenarios", json={"xml": saved, "forms_yaml": stricter}).json
    assert tested["failed"] >= 1
    assert any("photo_place" in (r["failure"] or "") for r in tested["results"] if not r["passed"])
    relabelled = forms.replace("label: Фотоматериалы (п. 3.4)", "label: Фотографии (п. 3.4)")
    body = {"xml": saved, "forms_yaml": relabelled, "revision": 1}
    assert client.post("/modeler/v2/save", json=body).status_code == 200
    with sessions() as session:
        stored = draft_by_label(session, "perm", "v2")
        assert stored is not None and stored.forms_yaml == relabelled and stored.revision == 2
    not_text = {"xml": saved, "forms_yaml": ["не", "текст"], "revision": 2}
    refused = client.post("/modeler/v2/save", json=not_text)
    assert refused.status_code == 400 and "Формы шагов" in refused.json["error"]


def _upload_broken(client: FlaskClient, tmp_path: Path) -> object:
    folder = PROCESSES / "example" / "v1"
    broken = (folder / "example.bpmn").read_text().replace('deadline("screen")', 'deadline("nope")')
    data: dict[str, object] = {
        "label": "v2",
        "confirm": "1",
        "bpmn": (io.BytesIO(broken.encode("utf-8")), "example.bpmn"),
        "forms": (io.BytesIO((folder / "forms.yaml").read_bytes()), "forms.yaml"),
        "deadlines": (io.BytesIO((folder / "deadlines.yaml").read_bytes()), "deadlines.yaml"),
    }
    return client.post("/versions/upload", data=data, content_type="multipart/form-data")


def test_a_refused_upload_shows_its_diagram_with_the_refused_elements(
    app: Flask, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _admin(sessions, "example.admin", "example")
    client = login(app.test_client(), "example.admin")
    refused = _upload_broken(client, tmp_path)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    page = refused.text  # type: ignore[attr-defined]
    assert 'id="refused-diagram"' in page and "problem_marks.js" in page
    assert '"element_id": "screen_deadline"' in page
    assert "deadline(&#34;nope&#34;)" in page or "deadline(&quot;nope&quot;)" in page
    with sessions() as session:
        assert [row.label for row in version_rows(session, "example")] == ["v1"]


@pytest.mark.usefixtures("staff")
def test_a_saved_draft_is_compared_with_a_deployed_version_in_legal_terms(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    with sessions.begin() as session:
        deploy_file(session, web_runtime, PERM_BPMN, "admin")
    client = login(app.test_client(), "perm.legal")  # legal staff: not the versions pages
    _draft(client)
    saved = client.get("/modeler/v2/diagram.bpmn").text
    body = {"xml": saved, "revision": 1, "deadline_texts": {"draft_feed": "3 часа"}}
    assert client.post("/modeler/v2/save", json=body).status_code == 200
    assert 'action="/modeler/v2/diff"' in client.get("/modeler/v2").text
    page = client.get("/modeler/v2/diff?a=v1")
    assert page.status_code == 200 and "«4 часа» → «3 часа»" in page.text
    assert 'data-xml-url="/modeler/versions/v1.bpmn"' in page.text
    assert 'data-xml-url="/modeler/v2/diagram.bpmn"' in page.text
    assert client.get("/modeler/versions/v1.bpmn").data.startswith(b"<?xml")
    assert client.get("/modeler/v2/diff?a=v9").status_code == 404
    assert login(app.test_client(), "perm").get("/modeler/versions/v1.bpmn").status_code == 403
    broken = {"xml": saved, "revision": 2, "deadline_texts": {"draft_feed": "4 попугая"}}
    assert client.post("/modeler/v2/save", json=broken).status_code == 200  # a draft may be wrong
    refused = client.get("/modeler/v2/diff?a=v1")
    assert refused.status_code == 400 and "когда проверки деплоя его принимают" in refused.text
