"""The engine's own events become each recipient's notices in the event's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.access import viewer_for
from engine.accounts import create_user
from engine.assignment import assign_task
from engine.clock import VirtualClock
from engine.inbox import kinds
from engine.inbox.comments import add_comment
from engine.models import (
    CaseDeadline,
    MailMessage,
    ProcessInstance,
    Substitution,
    User,
    UserNotice,
)
from engine.publishing.outbox import claim_next, record_failed
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.versions import deploy_file
from tests.conftest import PROCESSES
from tests.engine.helpers import deploy_example, send
from tests.publishing.publishing_helpers import VK_COMMENT, case_at_publish, publish_via_channel
from tests.web.helpers import complete, tasks_of

STAFF = (
    ("curator", ["curator"], None),
    ("head", ["head"], None),
    ("housing", ["executor"], "housing"),
    ("roads", ["executor"], "roads"),
)


@pytest.fixture
def staffed(sessions: sessionmaker[Session], runtime: Runtime) -> sessionmaker[Session]:
    """The example deployed, with a curator, a head and two departments' executors."""
    deploy_example(sessions, runtime)
    with sessions.begin() as session:
        for login, roles, department in STAFF:
            create_user(
                session,
                login=login,
                password="secret-password",
                full_name=login.title(),
                roles=roles,
                municipality="example",
                department=department,
                email=f"{login}@example.ru",
            )
    return sessions


def notices(sessions: sessionmaker[Session], login: str, kind: str) -> list[UserNotice]:
    """A user's notices of one kind."""
    with sessions() as session:
        return list(
            session.scalars(
                select(UserNotice)
                .join(User, User.id == UserNotice.user_id)
                .where(User.login == login, UserNotice.kind == kind)
            )
        )


def test_a_new_task_tells_its_lane_and_department_only(
    staffed: sessionmaker[Session], runtime: Runtime
) -> None:
    case = send(staffed, runtime, "1").result.instance.id
    (screen,) = notices(staffed, "curator", kinds.TASK)
    assert screen.instance_id == case and "по делу №" in screen.text
    assert notices(staffed, "housing", kinds.TASK) == []
    complete(staffed, runtime, case, "screen", screen_decision="process")
    complete(staffed, runtime, case, "route", departments=["housing"])
    (draft,) = notices(staffed, "housing", kinds.TASK)
    assert "Подготовить" in draft.text or "«" in draft.text
    assert notices(staffed, "roads", kinds.TASK) == []
    with staffed() as session:  # each notice has its mail in the outbox (everyone has an address)
        mailed = set(session.scalars(select(MailMessage.notice_id)))
    assert {screen.id, draft.id} <= mailed


def test_an_assignment_tells_the_assignee(staffed: sessionmaker[Session], runtime: Runtime) -> None:
    case = send(staffed, runtime, "1").result.instance.id
    complete(staffed, runtime, case, "screen", screen_decision="process")
    complete(staffed, runtime, case, "route", departments=["housing"])
    (task,) = tasks_of(staffed, case, "draft_answer")
    with staffed.begin() as session:
        head = session.scalars(select(User).where(User.login == "head")).one()
        by = viewer_for(session, head, runtime.clock.now())
        assign_task(session, runtime, task.task_id, "housing", by)
    (assigned,) = notices(staffed, "housing", kinds.ASSIGNED)
    assert assigned.text.startswith("Вам назначена задача")


def test_the_deadline_tables_reminder_and_breach_reach_their_roles(
    staffed: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    case = send(staffed, runtime, "1").result.instance.id
    with staffed() as session:
        remind_at = session.scalars(
            select(CaseDeadline.remind_at).where(
                CaseDeadline.instance_id == case, CaseDeadline.remind_at.is_not(None)
            )
        ).first()
    assert remind_at is not None
    clock.set(remind_at + timedelta(minutes=1))  # the ledger reminds once the moment passed
    while tick(staffed, runtime).advanced:
        pass
    (reminder,) = notices(staffed, "curator", kinds.REMINDER)
    assert "Приближается срок по делу" in reminder.text and reminder.due_at is not None
    assert notices(staffed, "head", kinds.BREACH) == []
    clock.set(datetime(2026, 3, 18, 18, 1, tzinfo=remind_at.tzinfo))
    while tick(staffed, runtime).advanced:
        pass
    (breach,) = notices(staffed, "head", kinds.BREACH)
    assert "Нарушен срок по делу" in breach.text and "Пример, п. 6" in breach.text


def test_a_failed_publication_tells_the_curator_who_sent_it(
    staffed: sessionmaker[Session], runtime: Runtime
) -> None:
    case = case_at_publish(staffed, runtime, VK_COMMENT)
    pub_id = publish_via_channel(staffed, runtime, case)
    with staffed.begin() as session:
        assert claim_next(session, runtime.clock.now(), timedelta(seconds=60)) is not None
        record_failed(session, pub_id, runtime.clock.now(), "VK: токен отозван")
    (failed,) = notices(staffed, "curator", kinds.PUBLICATION_FAILED)
    assert failed.text.endswith("VK: токен отозван")


def test_an_event_rolled_back_leaves_no_notice(
    staffed: sessionmaker[Session], runtime: Runtime
) -> None:
    case = send(staffed, runtime, "1").result.instance.id
    (screen,) = tasks_of(staffed, case, "screen")
    with staffed() as session:
        head = session.scalars(select(User).where(User.login == "head")).one()
        by = viewer_for(session, head, runtime.clock.now())
        assign_task(session, runtime, screen.task_id, "curator", by)
        session.flush()
        pending = select(UserNotice).where(UserNotice.kind == kinds.ASSIGNED)
        assert session.scalars(pending).all()  # written in the event's own transaction...
        session.rollback()
    assert notices(staffed, "curator", kinds.ASSIGNED) == []  # ...and gone with it


def test_whoever_stands_in_for_a_recipient_is_told_too(
    staffed: sessionmaker[Session], runtime: Runtime
) -> None:
    case = send(staffed, runtime, "1").result.instance.id
    now = runtime.clock.now()
    with staffed.begin() as session:
        ids = {u.login: u.id for u in session.scalars(select(User))}
        session.add(
            Substitution(
                absent_user_id=ids["housing"],
                substitute_user_id=ids["roads"],
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=1),
                reason="отпуск",
            )
        )
    with staffed.begin() as session:
        instance = session.get_one(ProcessInstance, case)
        add_comment(session, instance, author="curator", body="@housing срочно", now=now)
    assert len(notices(staffed, "housing", kinds.MENTION)) == 1
    assert len(notices(staffed, "roads", kinds.MENTION)) == 1
    assert notices(staffed, "head", kinds.MENTION) == []


def test_a_lane_the_municipality_gives_to_a_role_tells_that_roles_staff(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    # Myasnikovsky's отдел works in the lane `department`, which its municipality.yaml gives to
    # the curators: the new routing step is theirs to hear of, though no role is called so.
    with sessions.begin() as session:
        deploy_file(session, runtime, PROCESSES / "myasnikovsky" / "v1" / "myasnikovsky.bpmn", "a")
        create_user(
            session,
            login="otdel",
            password="secret-password",
            full_name="Отдел",
            roles=["curator"],
            municipality="myasnikovsky",
        )
    case = send(
        sessions, runtime, "m1", municipality="myasnikovsky", source="incident_manager"
    ).result.instance.id
    (route,) = notices(sessions, "otdel", kinds.TASK)
    assert route.instance_id == case and "Направить публикацию" in route.text
