"""The administrator's version pages: list, activate, roll back, diff, migrate; nobody else."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.models import AuditEvent, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versioning.runs import worker_job
from engine.versions import VersionFiles, active_version, deploy_files
from tests.conftest import PROCESSES
from tests.engine.versioning.helpers import example_processes
from tests.web.conftest import PASSWORD, login, send_message


def _admin(sessions: sessionmaker[Session], name: str, municipality: str) -> None:
    with sessions.begin() as session:
        create_user(
            session,
            login=name,
            password=PASSWORD,
            full_name="Администратор",
            roles=["administrator"],
            municipality=municipality,
            department=None,
        )


@pytest.fixture
def with_v2(sessions: sessionmaker[Session], web_runtime: Runtime, tmp_path: Path) -> None:
    """The example's v2 (a new step, a longer screening term) deployed, not active."""
    bpmn = example_processes(tmp_path) / "example" / "v2" / "example.bpmn"
    with sessions.begin() as session:
        files = VersionFiles.read(bpmn, PROCESSES)
        deploy_files(
            session, web_runtime, files, "admin", municipality="example", label="v2", activate=False
        )
    _admin(sessions, "example.admin", "example")
    _admin(sessions, "perm.admin", "perm")


def _active(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return active_version(session, "example").label


@pytest.mark.usefixtures("with_v2")
def test_only_administrators_of_the_town_reach_the_pages(app: Flask) -> None:
    for user in ("curator", "head", "housing"):
        client = login(app.test_client(), user)
        assert client.get("/versions/").status_code == 403
        assert client.get("/versions/diff?a=v1&b=v2").status_code == 403
        assert client.post("/versions/rollback", data={"confirm": "1"}).status_code == 403
        assert client.get("/versions/migrate?from=v1&to=v2").status_code == 403
        assert client.get("/versions/v2/diagram.bpmn").status_code == 403
    other = login(app.test_client(), "perm.admin")  # perm has no version: example's are unseen
    assert "v2" not in other.get("/versions/").text
    assert other.get("/versions/diff?a=v1&b=v2").status_code == 404
    assert other.get("/versions/v2/diagram.bpmn").status_code == 404
    assert other.post("/versions/activate", data={"label": "v2", "confirm": "1"}).status_code == 404


@pytest.mark.usefixtures("with_v2")
def test_diff_activate_migrate_and_roll_back(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    client = login(app.test_client(), "example.admin")
    listing = client.get("/versions/")
    assert listing.status_code == 200 and "Версии регламента" in listing.text
    diff = client.get("/versions/diff?a=v1&b=v2").text
    assert "Шаг «Согласовать ответ» добавлен" in diff and "<code>approve</code>" in diff
    assert "«1 рабочий час» → «2 рабочих часа»" in diff
    assert 'data-added=\'["approve", "flow_approve_to_publish"]\'' in diff
    xml = client.get("/versions/v2/diagram.bpmn")
    assert xml.headers["Content-Disposition"].startswith("attachment") and b"approve" in xml.data
    unconfirmed = client.post("/versions/activate", data={"label": "v2"})
    assert unconfirmed.status_code == 400 and "Подтверждаю" in unconfirmed.text
    assert _active(sessions) == "v1"
    done = client.post("/versions/activate", data={"label": "v2", "confirm": "1"})
    assert done.status_code == 302 and _active(sessions) == "v2"
    dry = client.get("/versions/migrate?from=v1&to=v2")
    assert dry.status_code == 200 and "Пробный перенос" in dry.text and "можно" in dry.text
    assert "«screen»: 16.03.2026 11:00 (1 рабочий час) → 16.03.2026 11:00" in dry.text
    with sessions() as session:
        assert (
            session.get_one(ProcessInstance, case).version_id
            != active_version(session, "example").id
        )
    real = client.post("/versions/migrate", data={"from": "v1", "to": "v2", "confirm": "1"})
    assert real.status_code == 303  # queued: the worker moves the cases, the page follows it
    assert "В очереди" in client.get(real.headers["Location"]).text
    assert worker_job(sessions, web_runtime, threading.Event()) == 0.0
    assert "Перенос дел выполнен" in client.get(real.headers["Location"]).text
    assert "Дело перенесено на другую версию регламента" in client.get(f"/cases/{case}").text
    back = client.post("/versions/rollback", data={"confirm": "1"})
    assert back.status_code == 302 and _active(sessions) == "v1"
    with sessions() as session:
        assert (
            session.get_one(ProcessInstance, case).version_id
            != active_version(session, "example").id
        )  # the case stays on v2: a rollback moves no case
        actors = {
            event.kind: event.actor
            for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        }
    assert actors[AuditKind.VERSION_ROLLED_BACK] == "example.admin"
    assert actors[AuditKind.INSTANCE_MIGRATED] == "example.admin"


@pytest.mark.usefixtures("with_v2")
def test_a_date_activation_is_scheduled_in_the_town_zone(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    client = login(app.test_client(), "example.admin")
    data = {"label": "v2", "at": "2099-01-01T00:00", "confirm": "1"}
    assert client.post("/versions/activate", data=data).status_code == 302
    assert "запланирована с 01.01.2099 00:00" in client.get("/versions/").text
    assert _active(sessions) == "v1"
    bad = client.post("/versions/activate", data={**data, "at": "завтра"})
    assert bad.status_code == 400 and "не дата" in bad.text
