"""The regulation report page: administrators only, the active version clause by clause."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.runtime import Runtime
from engine.selftest import deploy_version
from tests.conftest import PROCESSES
from tests.web.conftest import PASSWORD, login, on_both_databases


def _admin(sessions: sessionmaker[Session], login_name: str, municipality: str) -> None:
    with sessions.begin() as session:
        create_user(
            session,
            login=login_name,
            password=PASSWORD,
            full_name="Администратор",
            roles=["administrator"],
            municipality=municipality,
            department=None,
        )


@on_both_databases
def test_an_administrator_reads_the_tested_version_clause_by_clause(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    with sessions.begin() as session:
        bpmn = PROCESSES / "perm" / "v1" / "perm.bpmn"
        deploy_version(session, web_runtime, bpmn, "admin", untested_because=None)
    _admin(sessions, "perm.admin", "perm")
    response = login(app.test_client(), "perm.admin").get("/regulation/")
    assert response.status_code == 200
    page = response.text
    assert "Отчёт о регламенте" in page and "Регламент работы с сообщениями в сети Интернет" in page
    assert "в течение 1 часа с момента поступления сообщения" in page  # п. 3.1's text
    assert "«Рассмотреть сообщение»" in page and "Куратор (информационно-аналитическое" in page
    assert (
        "сообщение поступило: пятница, 13 марта 2026 г., 17:30 (UTC+5) → "
        "срок: пятница, 13 марта 2026 г., 18:30 (UTC+5)"
    ) in page
    tested = len(list(bpmn.parent.glob("*.scenario.yaml")))  # every one of Perm's scenarios
    assert f"Сценарии, прошедшие проверку при развёртывании: {tested}." in page
    assert "A question outside the city administration" in page  # a scenario proving п. 1.1
    assert "Пункты документа, на которые процесс не ссылается" in page and "1.2.3: лента" in page
    assert 'href="/regulation/"' in page  # the menu offers it to administrators


def test_the_page_needs_nothing_the_content_security_policy_forbids(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    _admin(sessions, "example.admin", "example")
    page = login(app.test_client(), "example.admin").get("/regulation/").text
    assert "<style" not in page and " style=" not in page
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "Сценарии этой версии не запускались при её развёртывании." in page  # deployed by code


def test_the_printable_file_is_a_download(app: Flask, sessions: sessionmaker[Session]) -> None:
    _admin(sessions, "example.admin", "example")
    response = login(app.test_client(), "example.admin").get("/regulation/report.html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="regulation-example-v1.html"'
    )
    assert "Куратор в течение 1 рабочего часа" in response.text  # the example's document, п. 2


def test_a_curator_is_refused(app: Flask) -> None:
    client = login(app.test_client(), "curator")
    assert client.get("/regulation/").status_code == 403
    assert client.get("/regulation/report.html").status_code == 403
    assert 'href="/regulation/"' not in client.get("/").text  # not in the menu


def test_a_municipality_without_an_active_version_is_told_so(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    _admin(sessions, "palana.admin", "palana")
    response = login(app.test_client(), "palana.admin").get("/regulation/")
    assert response.status_code == 404 and "нет действующей версии регламента" in response.text
