"""The notices tab: a breach reaches the head's inbox, is acknowledged once, shows on the card."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.access import viewer_for
from engine.accounts import create_user
from engine.clock import VirtualClock
from engine.inbox.reading import unread_count
from engine.models import Notice, User
from engine.queries import unread_counts, unread_notices
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.tasks import claim_task
from tests.conftest import MSK
from tests.web.conftest import login, send_message
from tests.web.helpers import tasks_of


def _breach(sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock) -> int:
    case = send_message(sessions, runtime)
    clock.set(datetime(2026, 3, 18, 18, 1, tzinfo=MSK))  # past the answer's 2 working days
    while tick(sessions, runtime).advanced:
        pass
    return case


def _head_notice(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        notice_id = session.scalar(select(Notice.id).where(Notice.recipient_role == "head"))
    assert notice_id is not None
    return notice_id


def test_the_head_reads_and_acknowledges_a_breach_notice(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    case = _breach(sessions, web_runtime, clock)
    head = login(app.test_client(), "head")
    assert "Уведомления (1)" in head.get("/").text
    inbox = head.get("/notices/").text
    assert f"дело № {case}" in inbox and "Пример, п. 6" in inbox and "2 рабочих дня" in inbox
    assert "Ответственный: куратор" in inbox
    notice = _head_notice(sessions)
    done = head.post(f"/notices/{notice}/acknowledge", data={"comment": "Разобрались."})
    assert done.status_code == 302
    assert "Уведомлений нет." in head.get("/notices/").text
    everything = head.get("/notices/?all=1").text
    assert "Прочитано: Глеб Глава" in everything and "Разобрались." in everything


def test_others_neither_see_nor_acknowledge_the_heads_notice(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    _breach(sessions, web_runtime, clock)
    notice = _head_notice(sessions)
    executor = login(app.test_client(), "roads")
    assert "Уведомлений нет." in executor.get("/notices/").text
    assert executor.post(f"/notices/{notice}/acknowledge").status_code == 404
    perm = login(app.test_client(), "perm")
    assert perm.post(f"/notices/{notice}/acknowledge").status_code == 404
    head = login(app.test_client(), "head")
    refused = head.post(f"/notices/{notice}/acknowledge", data={"comment": "x" * 3000})
    assert refused.status_code == 422
    with sessions() as session:
        assert session.get_one(Notice, notice).acknowledged_at is None


def test_the_case_card_shows_its_deadlines_and_who_answered_for_a_breach(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    case = _breach(sessions, web_runtime, clock)
    card = login(app.test_client(), "curator").get(f"/cases/{case}").text
    assert "Сроки по делу" in card and "2 рабочих дня" in card and "нарушен" in card
    assert re.search(r"Ответственный: куратор", card)


def test_the_heads_notice_names_the_late_step_the_person_and_how_late_in_the_terms_unit(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    case = send_message(sessions, web_runtime)
    (screen,) = tasks_of(sessions, case, "screen")
    with sessions.begin() as session:
        claim_task(session, web_runtime, screen.task_id, "curator")
    clock.set(datetime(2026, 3, 18, 18, 1, tzinfo=MSK))  # the answer's 2 working days are over
    while tick(sessions, web_runtime).advanced:
        pass
    clock.set(datetime(2026, 3, 20, 12, 0, tzinfo=MSK))  # Friday: Thursday passed wholly late
    inbox = re.sub(r"\\s+", " ", login(app.test_client(), "head").get("/notices/").text)
    assert "Просрочен шаг «Рассмотреть сообщение» — шаг был у сотрудника: Анна Куратор" in inbox
    assert "Пример, п. 6" in inbox and "просрочено на 1 рабочий день" in inbox


def test_both_counters_in_one_statement_agree_with_each_alone(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    _breach(sessions, web_runtime, clock)
    with sessions.begin() as session:
        create_user(
            session,
            login="admin",
            password="long-password",
            full_name="Администратор",
            roles=["administrator"],
            municipality="example",
        )
    with sessions() as session:
        counted = set()
        for user in session.scalars(select(User).order_by(User.id)):
            viewer = viewer_for(session, user, clock.now())
            alone = (unread_notices(session, viewer), unread_count(session, user.id))
            assert unread_counts(session, viewer) == alone, user.login
            counted.add(alone[0])
    assert counted > {0}  # someone has a notice: the comparison is not only of zeros
