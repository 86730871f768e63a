"""Migrations queued from the versions page: the worker moves the cases, the page follows it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.instances import complete_task
from engine.models import AuditEvent, MigrationRun, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versioning import runs
from engine.versioning.activation import activate_now
from engine.versioning.listing import version_by_label
from engine.versions import active_version
from tests.engine.helpers import only_task
from tests.engine.versioning.test_migration import STEPS
from tests.web.conftest import login, send_message
from tests.web.test_versions_admin import with_v2  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("with_v2")


@pytest.fixture
def three_cases(sessions: sessionmaker[Session], web_runtime: Runtime) -> list[int]:
    """Three running example cases on v1."""
    return [send_message(sessions, web_runtime, str(number)) for number in range(3)]


@pytest.fixture
def chunk_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case per wake-up, so progress can be seen between wake-ups; the page goes async."""
    monkeypatch.setattr(runs, "CHUNK", 1)
    monkeypatch.setattr("web.versions.INLINE_CASES", 1)


def _wake(sessions: sessionmaker[Session], runtime: Runtime) -> float | None:
    return runs.worker_job(sessions, runtime, threading.Event())


def _queue(client: FlaskClient, **extra: str) -> str:
    response = client.post("/versions/migrate", data={"from": "v1", "to": "v2"} | extra)
    assert response.status_code == 303, response.text
    return response.headers["Location"]


@pytest.mark.usefixtures("three_cases", "chunk_of_one")
def test_a_large_dry_run_is_a_worker_job_whose_progress_survives_a_reload(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    client = login(app.test_client(), "example.admin")
    report = client.get("/versions/migrate?from=v1&to=v2")
    assert report.status_code == 200 and "Дел в работе на версии v1: 3" in report.text
    assert ">можно<" not in report.text  # nothing was run in the request
    page = _queue(client, dry_run="1")
    queued = client.get(page).text
    assert "В очереди" in queued and "Обработано 0 из 3" in queued and "hx-get" in queued
    assert _wake(sessions, web_runtime) == 0.0
    again = client.get(page).text  # a reload shows what the worker did meanwhile
    assert "Идёт перенос" in again and "Обработано 1 из 3" in again
    fragment = client.get(page.rstrip("/") + "/progress").text
    assert fragment.startswith('<div id="run-progress" hx-get') and "1 из 3" in fragment
    while _wake(sessions, web_runtime) is not None:
        pass
    done = client.get(page).text
    assert "Пробный перенос завершён" in done and "Обработано 3 из 3" in done
    progress = done.split('id="run-progress"')[1].split(">")[0]  # the header's counter polls on
    assert "hx-get" not in progress and done.count(">можно<") == 3
    assert "Перенести дела" in done  # the real run, from the finished report
    with sessions() as session:  # a dry run moved nothing
        versions = set(session.scalars(select(ProcessInstance.version_id)))
        assert versions == {active_version(session, "example").id}
    assert "пробный" in client.get("/versions/").text


@pytest.mark.usefixtures("chunk_of_one")
def test_a_real_run_moves_each_case_and_is_audited(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, three_cases: list[int]
) -> None:
    client = login(app.test_client(), "example.admin")
    page = _queue(client, confirm="1", recompute="1")
    assert _wake(sessions, web_runtime) == 0.0
    with sessions() as session:
        moved = [session.get_one(ProcessInstance, case).version_id for case in three_cases]
    assert moved[0] != moved[1] == moved[2]  # the first case moved, the others wait
    while _wake(sessions, web_runtime) is not None:
        pass
    done = client.get(page).text
    assert "Перенос дел выполнен" in done and "Перенесены" in done
    assert "пересчитываются по новой таблице" in done
    card = client.get(f"/cases/{three_cases[0]}").text  # the case's own history shows it
    assert "v1 → v2; идущие сроки пересчитаны по новой версии" in card
    assert "«1 рабочий час» → «2 рабочих часа»" in card
    with sessions() as session:
        kinds = [
            (event.kind, event.actor, event.instance_id)
            for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if event.kind.value.startswith(("migration", "instance_migrated"))
        ]
        run = session.scalars(select(MigrationRun)).one()
    assert kinds[0] == (AuditKind.MIGRATION_REQUESTED, "example.admin", None)
    assert [k[2] for k in kinds[1:4]] == three_cases
    assert {k[:2] for k in kinds[1:4]} == {(AuditKind.INSTANCE_MIGRATED, "example.admin")}
    assert kinds[4] == (AuditKind.MIGRATION_FINISHED, runs.WORKER_ACTOR, None)
    assert (run.total, run.done, run.failed, run.recompute) == (3, 3, 0, True)
    assert _wake(sessions, web_runtime) is None  # nothing left: the worker sleeps


@pytest.mark.usefixtures("three_cases")
def test_refusals_are_clear_and_change_nothing(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    client = login(app.test_client(), "example.admin")
    unconfirmed = client.post("/versions/migrate", data={"from": "v1", "to": "v2"})
    assert unconfirmed.status_code == 400 and "Подтверждаю" in unconfirmed.text
    same = client.post("/versions/migrate", data={"from": "v1", "to": "v1", "dry_run": "1"})
    assert same.status_code == 400 and "на неё же" in same.text
    empty = client.post("/versions/migrate", data={"from": "v2", "to": "v1", "dry_run": "1"})
    assert empty.status_code == 400 and "нет дел в работе" in empty.text
    unknown = client.post("/versions/migrate", data={"from": "v1", "to": "v9", "dry_run": "1"})
    assert unknown.status_code == 404
    with sessions() as session:
        assert session.scalars(select(MigrationRun)).all() == []
    page = _queue(client, dry_run="1")
    busy = client.post("/versions/migrate", data={"from": "v1", "to": "v2", "confirm": "1"})
    assert busy.status_code == 409 and "Уже идёт перенос дел №" in busy.text
    assert client.get("/versions/migrations/999").status_code == 404
    other = login(app.test_client(), "perm.admin")  # another town's run is not there
    assert other.get(page).status_code == 404
    assert other.get(page + "/progress").status_code == 404
    for user in ("curator", "head"):
        staff = login(app.test_client(), user)
        assert staff.get(page).status_code == 403
        post = staff.post("/versions/migrate", data={"from": "v1", "to": "v2", "dry_run": "1"})
        assert post.status_code == 403
    with sessions() as session:
        assert len(session.scalars(select(MigrationRun)).all()) == 1


@pytest.mark.usefixtures("three_cases", "chunk_of_one")
def test_a_crashed_workers_lease_runs_out_and_another_goes_on(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    client = login(app.test_client(), "example.admin")
    page = _queue(client, dry_run="1")
    now = web_runtime.clock.now()
    assert runs._claim(sessions, now) is not None  # a worker claimed it, then died
    assert _wake(sessions, web_runtime) is None  # held: nobody else touches it
    web_runtime.clock.advance(runs.LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    assert _wake(sessions, web_runtime) == 0.0
    assert "Обработано 1 из 3" in client.get(page).text


def test_a_removed_step_moves_with_a_mapping_given_on_the_page(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    with sessions.begin() as session:  # v2 (with «approve») is active; a case reaches it
        activate_now(
            session, version_by_label(session, "example", "v2"), "admin", web_runtime.clock.now()
        )
    case = send_message(sessions, web_runtime)
    for element, data in STEPS[:4]:
        task = only_task(sessions, case)
        assert task.element_id == element
        with sessions.begin() as session:
            complete_task(session, web_runtime, task.task_id, data, "curator")
    assert only_task(sessions, case).element_id == "approve"
    client = login(app.test_client(), "example.admin")
    refused = client.get("/versions/migrate?from=v2&to=v1").text
    assert "нельзя: в версии «v1» нет шагов «Согласовать ответ» (approve)" in refused
    for bad, says in (
        ("approve: nowhere", "в версии «v1» нет элемента «nowhere»"),
        ("[1", "не читается"),
    ):
        page = client.get(
            "/versions/migrate", query_string={"from": "v2", "to": "v1", "mapping": bad}
        )
        assert page.status_code == 400 and says in page.text
        post = client.post(
            "/versions/migrate", data={"from": "v2", "to": "v1", "mapping": bad, "confirm": "1"}
        )
        assert post.status_code == 400 and says in post.text
    mapped = client.get(
        "/versions/migrate", query_string={"from": "v2", "to": "v1", "mapping": "approve: publish"}
    )
    assert ">можно<" in mapped.text and "<code>approve</code> → <code>publish</code>" in mapped.text
    assert 'name="mapping" value="approve: publish"' in mapped.text  # carried to the real run
    page = _queue(
        client, **{"from": "v2", "to": "v1", "mapping": "approve: publish", "confirm": "1"}
    )
    while _wake(sessions, web_runtime) is not None:
        pass
    done = client.get(page).text
    assert "Перенос дел выполнен" in done and "Обработано 1 из 1, нельзя перенести: 0" in done
    assert only_task(sessions, case).element_id == "publish"
