"""The UI's read API on both databases: task list, registry search, case card."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from engine.access import Viewer, viewer_for
from engine.accounts import create_user
from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.models import Message, OpenUserTask
from engine.queries import (
    MessageFilter,
    TaskFilter,
    case_card,
    filter_choices,
    search,
    task_list,
)
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.worktime import TrafficLight
from tests.engine.helpers import deploy_example, only_task, send


def _curator(sessions: sessionmaker[Session], runtime: Runtime) -> Viewer:
    with sessions.begin() as session:
        user = create_user(
            session,
            login="curator",
            password="long-password",
            full_name="Анна",
            roles=["curator"],
            municipality="example",
        )
        return viewer_for(session, user, runtime.clock.now())


def test_task_list_sorts_by_due_date_and_counts_remaining_working_time(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    viewer = _curator(sessions, runtime)
    send(sessions, runtime, "1", text="первое")
    clock.advance(timedelta(minutes=50))
    send(sessions, runtime, "2", source="ok", author_id="id2", text="второе")
    with sessions() as session:
        page = task_list(session, runtime, viewer, TaskFilter(scope="all"))
        assert [row.excerpt for row in page.rows] == ["первое", "второе"] and page.total == 2
        first, second = page.rows
        assert first.remaining and first.remaining.left == timedelta(minutes=10)
        assert first.remaining.state is TrafficLight.LOW
        assert second.remaining and second.remaining.state is TrafficLight.PLENTY
        assert first.can_complete
        only_ok = task_list(session, runtime, viewer, TaskFilter(scope="all", source="ok"))
        assert [row.excerpt for row in only_ok.rows] == ["второе"]
    clock.advance(timedelta(minutes=20))
    with sessions() as session:
        overdue = task_list(session, runtime, viewer, TaskFilter(scope="all", overdue=True))
        assert [row.excerpt for row in overdue.rows] == ["первое"]
        assert overdue.rows[0].remaining.state is TrafficLight.OVERDUE  # type: ignore[union-attr]


def test_tasks_without_a_deadline_come_last_and_ties_go_by_creation(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    viewer = _curator(sessions, runtime)
    cases = []
    for number in range(4):
        cases.append(send(sessions, runtime, str(number), text=f"№{number}").result.instance.id)
        clock.advance(timedelta(minutes=5))
    same_due = only_task(sessions, cases[3]).due_at
    with sessions.begin() as session:
        for case in (cases[0], cases[2]):  # no deadline: after every task that has one
            session.execute(
                update(OpenUserTask).where(OpenUserTask.instance_id == case).values(due_at=None)
            )
        session.execute(  # the same deadline as the newest: the older task goes first
            update(OpenUserTask).where(OpenUserTask.instance_id == cases[1]).values(due_at=same_due)
        )
    with sessions() as session:
        page = task_list(session, runtime, viewer, TaskFilter(scope="all"))
    assert [row.excerpt for row in page.rows] == ["№1", "№3", "№0", "№2"]


def test_task_search_ignores_case_in_any_mix_of_letters(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    viewer = _curator(sessions, runtime)
    send(sessions, runtime, "1", text="Во дворе МуСоР третий день")
    send(sessions, runtime, "2", author_id="id2", author="ЕЛЕНА Ёлкина", text="Яма")
    send(sessions, runtime, "3", author_id="id3", text="Нет света")
    with sessions() as session:
        for words, found in (("мусор", ["Во дворе МуСоР третий день"]), ("елена ёл", ["Яма"])):
            page = task_list(session, runtime, viewer, TaskFilter(scope="all", search=words))
            assert [row.excerpt for row in page.rows] == found, words


def test_filter_choices_are_the_sources_and_steps_of_the_municipality(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    viewer = _curator(sessions, runtime)
    case = send(sessions, runtime, "1", source="ok").result.instance.id
    send(sessions, runtime, "2", source="vk", author_id="id2")
    task = only_task(sessions, case)
    with sessions.begin() as session:
        for number, (municipality, source) in enumerate(
            [("example", "incident_manager"), ("elsewhere", "telegram"), ("example", "ok")]
        ):
            session.add(_message(number, municipality, source))
        for number, (municipality, element_id, name) in enumerate(
            [
                ("example", "answer", "Ответить"),
                ("example", "answer", "Ответить заявителю"),  # an older version's name
                ("elsewhere", "other", "Чужой шаг"),
            ]
        ):
            session.add(_task(task, number, municipality, element_id, name))
    with sessions() as session:
        choices = filter_choices(session, viewer)
    assert choices["sources"] == [(s, s) for s in ("incident_manager", "ok", "vk")]
    assert choices["steps"] == [("answer", "Ответить"), (task.element_id, task.name)]


def _message(number: int, municipality: str, source: str) -> Message:
    return Message(
        municipality=municipality,
        source=source,
        external_id=f"extra-{number}",
        author="Автор",
        author_id="extra",
        text="Текст",
        correlation_key=f"extra-{number}",
        received_at=datetime(2026, 3, 16, 7, 0, tzinfo=UTC),
        payload={},
    )


def _task(
    like: OpenUserTask, number: int, municipality: str, element_id: str, name: str
) -> OpenUserTask:
    return OpenUserTask(
        task_id=f"00000000-0000-0000-0000-{number:012d}",
        instance_id=like.instance_id,
        municipality=municipality,
        element_id=element_id,
        name=name,
        form_key=like.form_key,
        due_at=None,
        created_at=like.created_at,
    )


def test_registry_search_and_case_card(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    viewer = _curator(sessions, runtime)
    earlier = send(sessions, runtime, "0", text="Прошлый ЯМОЧНЫЙ ремонт").result.instance.id
    with sessions.begin() as session:
        task = only_task(sessions, earlier).task_id
        complete_task(
            session,
            runtime,
            task,
            {"screen_decision": "not_processed", "not_processed_reason": "insult"},
            "curator",
        )
    clock.advance(timedelta(days=1))
    case = send(sessions, runtime, "1", text="Яма у дома", thread_id="t").result.instance.id
    send(sessions, runtime, "2", text="Повторно про яму", thread_id="t")
    with sessions() as session:
        found = search(session, runtime, viewer, MessageFilter(text="ямочный"))
        assert [row.message.external_id for row in found.rows] == ["0"]
        running = search(session, runtime, viewer, MessageFilter(status=InstanceStatus.RUNNING))
        assert [(r.message.external_id, r.repeat) for r in running.rows] == [
            ("2", True),
            ("1", False),
        ]
        today = search(session, runtime, viewer, MessageFilter(received_from=date(2026, 3, 17)))
        assert today.total == 2
        card = case_card(session, runtime, viewer, case)
        assert card.message.external_id == "1"
        assert [m.external_id for m in card.repeats] == ["2"]
        assert [m.external_id for m in card.earlier] == ["0"]
        assert "message_received" in card.marks.completed
        assert card.marks.current == ["screen"]
        assert card.timeline[0].kind.value == "instance_started"
