"""Linked cases: a repeat after its case closed opens a new case tied to the earlier one."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.instances import complete_task, read_workflow
from engine.linked import case_departments, case_links, open_steps
from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from tests.engine.helpers import deploy_example, only_task, open_tasks, send


@pytest.fixture(autouse=True)
def _deployed(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    deploy_example(sessions, runtime)


def _complete(sessions: sessionmaker[Session], runtime: Runtime, case: int, data: dict) -> None:
    with sessions.begin() as session:
        complete_task(session, runtime, only_task(sessions, case).task_id, data, "c")


def _answered_case(sessions: sessionmaker[Session], runtime: Runtime, thread: str) -> int:
    """A case routed to two departments, answered and published: closed."""
    case = send(sessions, runtime, external_id=f"{thread}-1", thread_id=thread).result.instance.id
    _complete(sessions, runtime, case, {"screen_decision": "process"})
    _complete(sessions, runtime, case, {"departments": ["roads", "transport"]})
    for task in open_tasks(sessions, case):
        answer = {"answer_kind": "final", "answer_text": "Здравствуйте! Сделаем в мае."}
        with sessions.begin() as session:
            complete_task(session, runtime, task.task_id, answer, "e")
    _complete(sessions, runtime, case, {"review_decision": "approve"})
    _complete(sessions, runtime, case, {"published_url": "https://vk.com/wall-1_1?reply=2"})
    return case


def test_a_repeat_after_close_starts_a_linked_case_carrying_departments_and_the_duty(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    earlier = _answered_case(sessions, runtime, "post-9")
    repeat = send(sessions, runtime, external_id="post-9-2", thread_id="post-9", text="Опять!")
    later = repeat.result.instance.id
    assert not repeat.repeat and repeat.linked_to == earlier and later != earlier
    with sessions() as session:
        assert session.get_one(ProcessInstance, earlier).status is InstanceStatus.COMPLETED
        links = case_links(session, session.get_one(ProcessInstance, later))
        assert links.earlier is not None and links.earlier.id == earlier and links.later == ()
        back = case_links(session, session.get_one(ProcessInstance, earlier))
        assert [case.id for case in back.later] == [later] and back.earlier is None
        data = read_workflow(session, runtime, later).data
        assert case_departments(session, earlier) == ["roads", "transport"]
    assert data["report_measures"] is True
    assert data["linked_case"]["id"] == earlier
    assert data["linked_case"]["departments"] == ["roads", "transport"]


def test_an_unrelated_message_and_a_first_message_are_not_linked(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _answered_case(sessions, runtime, "post-10")
    other = send(sessions, runtime, external_id="x", thread_id="post-11")
    assert other.linked_to is None
    with sessions() as session:
        instance = session.get_one(ProcessInstance, other.result.instance.id)
        assert instance.linked_to_id is None
        data = read_workflow(session, runtime, instance.id).data
    assert data["report_measures"] is False and data["linked_case"] is None


def test_a_repeat_during_a_running_case_says_at_which_step_it_arrived(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = send(sessions, runtime, external_id="r1", thread_id="post-12").result.instance.id
    _complete(sessions, runtime, case, {"screen_decision": "process"})
    _complete(sessions, runtime, case, {"departments": ["roads"]})
    with sessions() as session:
        assert open_steps(session, case) == ["draft_answer"]
    repeat = send(sessions, runtime, external_id="r2", thread_id="post-12", text="Где ответ?")
    assert repeat.repeat and repeat.linked_to is None and repeat.message.instance_id == case
    with sessions() as session:
        workflow = read_workflow(session, runtime, case)
    assert workflow.data["repeat_arrived_at_step"] == "draft_answer"
    noted = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "note_repeat_message"]
    assert noted and noted[0].data["repeat_message"]["arrived_at_step"] == "draft_answer"
    assert noted[0].data["repeat_arrived_at_step"] == "draft_answer"


def test_a_second_repeat_goes_to_the_linked_case_while_it_runs(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    earlier = _answered_case(sessions, runtime, "post-13")
    linked = send(sessions, runtime, external_id="post-13-2", thread_id="post-13")
    again = send(sessions, runtime, external_id="post-13-3", thread_id="post-13", text="Ау!")
    assert linked.linked_to == earlier
    assert again.repeat and again.linked_to is None
    assert again.message.instance_id == linked.result.instance.id
    with sessions() as session:
        workflow = read_workflow(session, runtime, linked.result.instance.id)
    assert workflow.data["repeat_arrived_at_step"] == "screen"  # it came during screening
