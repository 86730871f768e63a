"""A sixth municipality of files only (tests/fixtures/zarechny): deployed, run, signed in to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import AccountError, create_user
from engine.clock import VirtualClock
from engine.db import Base
from engine.instances import complete_task
from engine.models import AuditEvent, OpenUserTask
from engine.municipalities import load_municipality
from engine.runtime import Runtime
from engine.selftest import deploy_version
from engine.statuses import AuditKind
from tests.conftest import ROOT
from tests.engine.helpers import send
from tests.web.conftest import PASSWORD, SECRET_KEY, login
from web import create_app
from web.db import extension_state

FIXTURES = ROOT / "tests" / "fixtures"
TOWN = "zarechny"
BPMN = FIXTURES / TOWN / "v1" / "zarechny.bpmn"
YEKT = timezone(timedelta(hours=5))


@pytest.fixture
def town_app(tmp_path: Path) -> Iterator[Flask]:
    """The web app on a fresh database whose processes folder holds only the fixture town."""
    clock = VirtualClock(datetime(2026, 3, 17, 10, 0, tzinfo=YEKT))
    flask_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'town.sqlite3'}",
            "PROCESSES_DIR": FIXTURES,
            "CLOCK": clock,
            "WTF_CSRF_ENABLED": False,
        }
    )
    Base.metadata.create_all(extension_state(flask_app)["engine"])
    yield flask_app
    extension_state(flask_app)["engine"].dispose()


def _state(app: Flask) -> tuple[sessionmaker[Session], Runtime]:
    state = extension_state(app)
    return state["sessions"], state["runtime"]


def test_the_town_deploys_through_its_scenarios_and_its_deputy_head_sees_the_approval(
    town_app: Flask,
) -> None:
    sessions, runtime = _state(town_app)
    with sessions.begin() as session:
        outcome = deploy_version(session, runtime, BPMN, "admin", untested_because=None)
        assert outcome.deployment.created and outcome.tested is not None
        assert len(outcome.tested.results) == 3 and not outcome.tested.failed
        tested = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.VERSION_TESTED)
        ).one()
        assert len(tested.data["scenarios"]) == 3
        settings = load_municipality(TOWN, FIXTURES)
        for login_, name, held, department in (
            ("deputy", "Ольга Заместитель", ["deputy_head"], None),
            ("curator", "Илья Куратор", ["curator"], None),
            ("roads", "Семён Дороги", ["executor"], "roads"),
            ("chief", "Глеб Глава", ["head"], None),
        ):
            create_user(
                session,
                login=login_,
                password=PASSWORD,
                full_name=name,
                roles=held,
                municipality=TOWN,
                department=department,
                known_roles=settings.roles,
                known_departments=tuple(item.id for item in settings.departments),
            )
    case = send(
        sessions, runtime, municipality=TOWN, text="На ул. Речной не горят фонари."
    ).result.instance.id
    _complete(
        sessions, runtime, case, "screen", {"screen_decision": "process", "department": "roads"}
    )
    other = send(sessions, runtime, "2", municipality=TOWN, text="Когда уберут снег?")
    screening = f"/tasks/{_task(sessions, other.result.instance.id, 'screen').task_id}"
    deputy = login(town_app.test_client(), "deputy")
    drafting = f"/tasks/{_task(sessions, case, 'draft').task_id}"
    assert drafting not in deputy.get("/").text  # the draft is the department's
    _complete(sessions, runtime, case, "draft", {"answer_text": "Здравствуйте! Фонари починят."})
    task_id = _task(sessions, case, "approval").task_id
    page = deputy.get("/").text
    assert f"/tasks/{task_id}" in page and "Заместитель главы" in page and screening not in page
    opened = deputy.get(f"/tasks/{task_id}")
    assert opened.status_code == 200 and "Проверено (п. 4)" in opened.text
    everything = deputy.get("/?scope=all")  # sees: own — the tab shows its own lanes only
    assert everything.status_code == 200 and screening not in everything.text
    done = deputy.post(
        f"/tasks/{task_id}",
        data={"approval_decision": "approve", "approval_checklist": ["greeting", "grammar"]},
    )
    assert done.status_code == 422 and "Не подтверждено по п. 4" in done.text
    curator = login(town_app.test_client(), "curator")
    every = curator.get("/?scope=all").text  # the curator sees all
    assert f"/tasks/{task_id}" in every and screening in every
    assert curator.post(f"/tasks/{task_id}", data={}).status_code == 403
    team = login(town_app.test_client(), "chief").get("/team/")
    assert team.status_code == 200 and "заместитель главы" in team.text


def test_accounts_take_the_towns_roles_and_no_other(town_app: Flask) -> None:
    sessions, _runtime = _state(town_app)
    roles = load_municipality(TOWN, FIXTURES).roles
    assert roles.name("deputy_head") == "заместитель главы"
    with sessions.begin() as session, pytest.raises(AccountError) as refused:
        create_user(
            session,
            login="press",
            password=PASSWORD,
            full_name="Пресс",
            roles=["press_secretary"],
            municipality=TOWN,
            known_roles=roles,
        )
    assert "deputy_head (заместитель главы)" in refused.value.errors["roles"][0]
    with sessions.begin() as session, pytest.raises(AccountError):
        create_user(  # the default registry (another town's) has no deputy head
            session,
            login="deputy",
            password=PASSWORD,
            full_name="Ольга",
            roles=["deputy_head"],
            municipality="perm",
        )


def test_no_code_names_the_town() -> None:
    for folder in ("engine", "web"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".html", ".js", ".yaml", ".md"}:
                text = path.read_text(encoding="utf-8")
                assert not re.search(r"zarechny|Заречн", text, re.IGNORECASE), path


def _task(sessions: sessionmaker[Session], case: int, element: str) -> OpenUserTask:
    with sessions() as session:
        query = select(OpenUserTask).where(
            OpenUserTask.instance_id == case, OpenUserTask.element_id == element
        )
        return session.scalars(query).one()


def _complete(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    case: int,
    element: str,
    data: dict[str, object],
) -> None:
    task_id = _task(sessions, case, element).task_id
    with sessions.begin() as session:
        complete_task(session, runtime, task_id, data, "test")
