"""Comments on a case: posted on the card or a task page, with @-mentions that notify."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import AuditEvent, CaseComment, OpenUserTask, UserNotice
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.web.conftest import login, on_both_databases, send_message

HTMX = {"HX-Request": "true"}


def _comments(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(CaseComment)) or 0


def test_a_comment_with_a_mention_notifies_the_colleague_and_is_audited(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    curator = login(app.test_client(), "curator")
    housing = login(app.test_client(), "housing")
    before = housing.get("/inbox/counter").text
    posted = curator.post(
        f"/cases/{case}/comments",
        data={"body": "@housing проверьте адрес, пожалуйста", "mention": ["roads"]},
        headers=HTMX,
    )
    assert posted.status_code == 200
    assert "проверьте адрес" in posted.text and "Анна Куратор" in posted.text
    assert "Борис ЖКХ" in posted.text and "Вера Дороги" in posted.text  # the mentioned, by name
    inbox = housing.get("/inbox/").text
    assert "Анна Куратор упоминает вас в комментарии к делу" in inbox and "проверьте адрес" in inbox
    assert 'class="badge"' not in before and 'class="badge"' in housing.get("/inbox/counter").text
    assert "Вера Дороги" not in login(app.test_client(), "curator").get("/inbox/").text
    with sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.COMMENT_POSTED)
        ).one()
        assert event.actor == "curator" and event.data["mentions"] == ["housing", "roads"]
    title = housing.get("/").text
    assert "<title>(" in title  # the tab's title carries the unread count


def test_the_card_and_the_task_page_load_the_comments(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    curator = login(app.test_client(), "curator")
    card = curator.get(f"/cases/{case}").text
    assert f'hx-get="/cases/{case}/comments' in card
    with sessions() as session:
        task = session.scalars(select(OpenUserTask.task_id)).first()
    page = curator.get(f"/tasks/{task}").text
    assert f"/cases/{case}/comments?task={task}" in page
    posted = curator.post(f"/cases/{case}/comments", data={"body": "Заметка", "task": task})
    assert posted.status_code == 302 and posted.location.endswith(f"/tasks/{task}#comments")
    assert "Заметка" in curator.get(f"/cases/{case}/comments").text  # a page without htmx


@on_both_databases
def test_bad_comments_are_refused_in_russian_and_nothing_is_stored(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    curator = login(app.test_client(), "curator")
    empty = curator.post(f"/cases/{case}/comments", data={"body": "   "}, headers=HTMX)
    assert empty.status_code == 422 and "Напишите текст комментария." in empty.text
    long = curator.post(f"/cases/{case}/comments", data={"body": "я" * 4001}, headers=HTMX)
    assert long.status_code == 422 and "Комментарий длиннее 4000 символов." in long.text
    stranger = curator.post(
        f"/cases/{case}/comments", data={"body": "Спросите @perm и @nobody"}, headers=HTMX
    )
    assert stranger.status_code == 422
    assert "Нет такого сотрудника в этом муниципалитете: @perm, @nobody" in stranger.text
    assert "Спросите @perm и @nobody" in stranger.text  # what was typed is kept
    picked = curator.post(
        f"/cases/{case}/comments", data={"body": "Текст", "mention": "perm"}, headers=HTMX
    )
    assert picked.status_code == 422
    plain = curator.post(f"/cases/{case}/comments", data={"body": ""})
    assert plain.status_code == 422 and "Напишите текст комментария." in plain.text
    assert _comments(sessions) == 0


@on_both_databases
def test_another_municipalitys_case_is_not_found(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    perm = login(app.test_client(), "perm")
    assert perm.get(f"/cases/{case}/comments").status_code == 404
    assert perm.post(f"/cases/{case}/comments", data={"body": "Привет"}).status_code == 404
    assert login(app.test_client(), "curator").get("/cases/999999/comments").status_code == 404
    assert _comments(sessions) == 0


def test_the_counter_of_a_signed_out_page_changes_nothing(app: Flask) -> None:
    assert app.test_client().get("/inbox/counter", headers=HTMX).status_code == 204
    assert app.test_client().get("/inbox/").status_code == 302  # the list itself needs sign-in


@on_both_databases
def test_one_reads_only_ones_own_notices(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    curator = login(app.test_client(), "curator")
    assert curator.post(f"/cases/{case}/comments", data={"body": "@housing см."}).status_code == 302
    with sessions() as session:
        notice = session.scalars(select(UserNotice.id).where(UserNotice.kind == "mention")).one()
    assert login(app.test_client(), "roads").post(f"/inbox/{notice}/read").status_code == 404
    housing = login(app.test_client(), "housing")
    assert housing.post(f"/inbox/{notice}/read").status_code == 302
    assert housing.post(f"/inbox/{notice}/read").status_code == 302  # twice: a no-op
    assert housing.post("/inbox/read-all").status_code == 302
    assert housing.get(f"/inbox/?page={10**20}").status_code == 200  # no overflow, no 500
    assert 'class="badge"' not in housing.get("/inbox/counter").text
