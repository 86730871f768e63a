"""Substitutes in the web: no administrator rights gained, dates checked, ended early."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.db import Base
from engine.models import AuditEvent, Substitution, User
from engine.municipalities import load_municipality
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.web.conftest import PASSWORD, SECRET_KEY, login, send_message
from tests.web.helpers import routed_case, tasks_of
from web import create_app
from web.db import extension_state


def _id(sessions: sessionmaker[Session], login_name: str) -> str:
    with sessions() as session:
        return str(session.scalars(select(User.id).where(User.login == login_name)).one())


def _period(absent: str, substitute: str, **days: str) -> dict[str, str]:
    return {
        "absent": absent,
        "substitute": substitute,
        "starts_on": days.get("starts_on", "2026-03-16"),
        "ends_on": days.get("ends_on", "2026-03-20"),
        "reason": "отпуск",
    }


def test_a_head_naming_himself_for_the_administrator_gains_no_administration(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    with sessions.begin() as session:
        create_user(
            session,
            login="admin",
            password=PASSWORD,
            full_name="Адм Админ",
            roles=["administrator"],
            municipality="example",
        )
    case = send_message(sessions, web_runtime)
    (screen,) = tasks_of(sessions, case, "screen")
    head = login(app.test_client(), "head")
    named = head.post(
        "/team/substitutions", data=_period(_id(sessions, "admin"), _id(sessions, "head"))
    )
    assert named.status_code == 302
    assert head.get("/messages/new").status_code == 403  # administrators and curators only
    assert (
        head.post(f"/tasks/{screen.task_id}", data={"screen_decision": "process"}).status_code
        == 403
    )
    assert tasks_of(sessions, case, "screen")  # untouched
    assert head.get("/team/").status_code == 200  # his own head rights stay


def test_standing_in_for_a_head_gives_no_team_page(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    head = login(app.test_client(), "head")
    data = _period(_id(sessions, "head"), _id(sessions, "curator"))
    assert head.post("/team/substitutions", data=data).status_code == 302
    curator = login(app.test_client(), "curator")
    assert curator.get("/team/").status_code == 403
    assert "Замещения" not in curator.get("/").text.split("</nav>")[0]


def test_dates_are_validated_with_field_errors_not_a_crash(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    head = login(app.test_client(), "head")
    housing, roads = _id(sessions, "housing"), _id(sessions, "roads")
    for days, message in (
        ({"ends_on": "9999-12-31"}, "Укажите дату с"),
        ({"starts_on": "0001-01-01"}, "Укажите дату с"),
        ({"ends_on": "31.12.2026"}, "Укажите дату."),
        ({"ends_on": "2027-04-01"}, "Период не длиннее 366 дней."),
        ({"starts_on": "2026-03-01", "ends_on": "2026-03-10"}, "Период уже закончился."),
        ({"ends_on": "2026-03-01"}, "Конец периода должен быть позже начала."),
    ):
        refused = head.post("/team/substitutions", data=_period(housing, roads, **days))
        assert refused.status_code == 422 and message in refused.text, days
        assert 'id="ends_on-errors"' in refused.text or 'id="starts_on-errors"' in refused.text
    assert head.post("/team/substitutions", data=_period(housing, "9" * 30)).status_code == 422
    with sessions() as session:
        assert session.scalars(select(Substitution)).all() == []


def test_a_substitution_is_ended_early_by_a_head_and_audited(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    head = login(app.test_client(), "head")
    head.post(
        "/team/substitutions", data=_period(_id(sessions, "curator"), _id(sessions, "housing"))
    )
    (screen,) = tasks_of(sessions, case, "screen")
    executor = login(app.test_client(), "housing")
    assert executor.get(f"/tasks/{screen.task_id}").status_code == 200  # stands in for the curator
    with sessions() as session:
        substitution = session.scalars(select(Substitution)).one()
    assert executor.post(f"/team/substitutions/{substitution.id}/end").status_code == 403
    page = head.get("/team/").text
    assert "Завершить сейчас" in page and "действует" in page
    ended = head.post(f"/team/substitutions/{substitution.id}/end")
    assert ended.status_code == 302
    assert executor.get(f"/tasks/{screen.task_id}").status_code == 403  # at once
    again = head.post(f"/team/substitutions/{substitution.id}/end")
    assert again.status_code == 409 and "уже закончилось" in again.text
    assert head.post("/team/substitutions/99999/end").status_code == 404
    assert head.post(f"/team/substitutions/{2**40}/end").status_code == 404
    assert (
        login(app.test_client(), "perm")
        .post(f"/team/substitutions/{substitution.id}/end")
        .status_code
        == 403
    )  # a curator of Perm is no head
    with sessions() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id.is_(None), AuditEvent.version_id.is_(None))
            .order_by(AuditEvent.id)
        )
        assert [(row.kind, row.actor) for row in rows] == [
            (AuditKind.SUBSTITUTION_NAMED, "head"),
            (AuditKind.SUBSTITUTION_ENDED, "head"),
        ]


def test_the_period_reads_as_entered_and_a_date_error_sits_beside_its_field(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    head = login(app.test_client(), "head")
    housing, roads = _id(sessions, "housing"), _id(sessions, "roads")
    refused = head.post("/team/substitutions", data=_period(housing, roads, ends_on="2026-03-01"))
    beside = refused.text.split('id="ends_on-errors">')[1].split("</ul>")[0]
    assert "Конец периода должен быть позже начала." in beside
    assert 'value="2026-03-01"' in refused.text  # what was typed stays
    named = head.post(
        "/team/substitutions",
        data=_period(housing, roads, ends_on="2026-12-14"),
        follow_redirects=True,
    )
    assert "с 16.03.2026 по 14.12.2026 включительно" in named.text
    assert "Вера Дороги замещает сотрудника «Борис ЖКХ»" in named.text
    page = head.get("/team/").text
    assert "по 14.12.2026 включительно" in page and "15.12.2026" not in page
    assert "(housing)" not in page and ">housing<" not in page  # names, not logins


def test_the_substitute_is_told_whom_they_stand_in_for(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    head = login(app.test_client(), "head")
    data = _period(_id(sessions, "housing"), _id(sessions, "roads"))
    assert head.post("/team/substitutions", data=data).status_code == 302
    inherited, own = (task for task in tasks_of(sessions, case, "draft_answer"))
    assert (inherited.department, own.department) == ("housing", "roads")
    roads = login(app.test_client(), "roads")
    rows = roads.get("/?scope=mine").text.split("data-task-id=")[1:]
    notes = {row.split('"')[1]: "вы замещаете сотрудника «Борис ЖКХ»" in row for row in rows}
    assert notes == {inherited.task_id: True, own.task_id: False}
    assert "вы замещаете сотрудника «Борис ЖКХ»" in roads.get(f"/tasks/{inherited.task_id}").text
    assert "вы замещаете" not in roads.get(f"/tasks/{own.task_id}").text
    housing = login(app.test_client(), "housing")
    assert "вы замещаете" not in housing.get(f"/tasks/{inherited.task_id}").text


def test_the_pages_ask_what_the_municipalitys_roles_may_do(tmp_path: Path) -> None:
    """A deputy head named in municipality.yaml names substitutes; its executors enter messages."""
    town = tmp_path / "town"
    town.mkdir()
    (town / "municipality.yaml").write_text(
        "name: town\ntitle: Город\ntimezone: Europe/Moscow\n"
        "roles:\n"
        "  - {id: deputy_head, name: заместитель главы, may: [name_substitutes]}\n"
        "  - {id: executor, may: [enter_messages]}\n",
        encoding="utf-8",
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'town.sqlite3'}",
            "PROCESSES_DIR": tmp_path,
            "WTF_CSRF_ENABLED": False,
        }
    )
    state = extension_state(app)
    Base.metadata.create_all(state["engine"])
    with state["sessions"].begin() as session:
        for login_name, role, department in (
            ("deputy", "deputy_head", None),
            ("clerk", "executor", "office"),
            ("checker", "approver", None),
        ):
            create_user(
                session,
                login=login_name,
                password=PASSWORD,
                full_name=login_name.title(),
                roles=[role],
                municipality="town",
                department=department,
                known_roles=load_municipality("town", tmp_path).roles,
            )
    deputy, clerk, checker = (
        login(app.test_client(), name) for name in ("deputy", "clerk", "checker")
    )
    assert deputy.get("/team/").status_code == 200
    assert "Замещения" in deputy.get("/").text.split("</nav>")[0]
    assert deputy.get("/messages/new").status_code == 403
    assert clerk.get("/messages/new").status_code == 200 and clerk.get("/team/").status_code == 403
    assert checker.get("/team/").status_code == 403 and checker.get("/people/").status_code == 403
    state["engine"].dispose()
