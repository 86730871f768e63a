"""Addresses from messages and forms: only http(s) become links; the diagram is a download."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from engine.versions import deploy_xml
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE
from tests.web.conftest import login, send_message
from tests.web.helpers import complete, routed_case
from web.templating import is_web_link

HOSTILE = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>"]
# The library's publish form takes only http(s) links; a regulation may declare its own with the
# link as free text, so the card must still decide what becomes a link.
TEXT_LINK_PUBLISH = """
forms:
  - key: publish
    title: Публикация ответа
    fields:
      - {name: published_url, kind: text, label: Где опубликован ответ, required: true}
""".encode()
# The example's own screen form: its «clarify» branch compares with that form's choices.
TEXT_LINK_PUBLISH += (EXAMPLE_BPMN.parent / "forms.yaml").read_bytes().split(b"forms:\n")[1]


@pytest.mark.parametrize(
    ("value", "link"),
    [
        ("https://vk.com/photo-1_2", True),
        ("HTTP://ok.ru/x", True),
        ("  https://vk.com/x", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("ftp://files.example.org/a.txt", False),
        ("//evil.example/x", False),
        ("https:///nohost", False),
        ("http://[::1", False),
        (None, False),
        (42, False),
    ],
)
def test_only_http_addresses_with_a_host_are_links(value: object, link: bool) -> None:
    assert is_web_link(value) is link


def test_hostile_attachments_and_a_non_web_answer_link_are_shown_as_text(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    with sessions.begin() as session:
        deploy_xml(
            session,
            web_runtime,
            EXAMPLE_BPMN.read_bytes(),
            EXAMPLE_BPMN.name,
            "admin",
            municipality="example",
            label="v2",
            forms_yaml=TEXT_LINK_PUBLISH,
            deadlines_yaml=EXAMPLE_TABLE.read_bytes(),
        )
    attachments = [*HOSTILE, "https://vk.com/photo-1_2"]
    case = send_message(sessions, web_runtime, payload={"attachments": attachments})
    routed_case(sessions, web_runtime, case)
    complete(
        sessions,
        web_runtime,
        case,
        "draft_answer",
        answer_kind="final",
        answer_text="Здравствуйте! Вывезли.",
    )
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    complete(sessions, web_runtime, case, "publish", published_url="ftp://files.example.org/a.txt")
    page = login(app.test_client(), "curator").get(f"/cases/{case}").text
    assert 'href="https://vk.com/photo-1_2"' in page
    for value in ("javascript:", "JaVaScRiPt:", "data:", "ftp:"):
        assert f'href="{value}' not in page
    assert "javascript:alert(document.cookie)" in page  # still readable, as text
    assert "ftp://files.example.org/a.txt" in page


def test_the_diagram_xml_is_a_download_that_is_never_sniffed(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    response = login(app.test_client(), "curator").get(f"/cases/{case}/diagram.bpmn")
    assert response.status_code == 200 and response.text.startswith("<?xml")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/xml"
