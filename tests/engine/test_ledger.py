"""The deadline ledger: one duty, one deadline — armed once, breached at most once, recorded."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock, using_clock
from engine.instances import complete_task, read_workflow
from engine.ledger.case import CaseLedger
from engine.ledger.context import using_ledger
from engine.models import (
    AuditEvent,
    CaseDeadline,
    Notice,
    ProcessInstance,
    ProcessVersion,
    Violation,
)
from engine.notices import NOTICE_CHANNELS, NoticeNotFound, acknowledge, deliver_pending
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind, DeadlineState, NoticeKind
from engine.tasks import claim_task
from engine.versions import deploy_xml, load_version
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE, MSK
from tests.engine.helpers import open_tasks, send


def _yaml(table: Any) -> bytes | None:
    return None if table is None else yaml.safe_dump(table, allow_unicode=True).encode()


TABLE: dict[str, Any] = yaml.safe_load(EXAMPLE_TABLE.read_text(encoding="utf-8"))
MONDAY = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)  # the clock fixture's start


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, **rows: dict[str, Any]) -> None:
    table = copy.deepcopy(TABLE)
    for name, row in rows.items():
        table["deadlines"][name] = {**table["deadlines"][name], **row}
    with sessions.begin() as session:
        deploy_xml(
            session, runtime, EXAMPLE_BPMN.read_bytes(), "example.bpmn", "admin",
            municipality="example", label="v1", deadlines_yaml=_yaml(table),
            forms_yaml=(EXAMPLE_BPMN.parent / "forms.yaml").read_bytes(),
        )  # fmt: skip


def _complete(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, element: str, **data: Any
) -> None:
    [task] = [t for t in open_tasks(sessions, case) if t.element_id == element][:1]
    with sessions.begin() as session:
        complete_task(session, runtime, task.task_id, data, "curator1")


def _rows(sessions: sessionmaker[Session], model: Any) -> list[Any]:
    with sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def _entry(sessions: sessionmaker[Session], name: str) -> CaseDeadline:
    return [row for row in _rows(sessions, CaseDeadline) if row.name == name][-1]


def _drain(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    while tick(sessions, runtime).advanced:
        pass


def test_a_span_breaches_on_time_while_the_case_waits_at_an_earlier_step(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime)
    send(sessions, runtime)
    # Nobody screens it. The answer's term (2 working days, to Wednesday 18:00) runs out all
    # the same, although the step that ends it (publication) was never reached.
    clock.set(datetime(2026, 3, 18, 18, 1, tzinfo=MSK))
    _drain(sessions, runtime)
    clock.advance(timedelta(days=3))
    _drain(sessions, runtime)
    violations = {v.deadline_name: v for v in _rows(sessions, Violation)}
    assert set(violations) == {"screen", "answer"}  # two duties, each recorded once
    answer = violations["answer"]
    assert answer.due_at == datetime(2026, 3, 18, 18, 0, tzinfo=MSK)
    assert (answer.element_id, answer.responsible_role, answer.clause) == (
        "screen",
        "curator",
        "Пример, п. 6",
    )
    notices = [(n.kind, n.recipient_role, n.clause) for n in _rows(sessions, Notice)]
    assert sorted(notices) == sorted(
        [
            (NoticeKind.REMINDER, "curator", "Пример, п. 6"),
            (NoticeKind.BREACH, "head", "Пример, п. 6"),
            (NoticeKind.BREACH, "curator", "Пример, п. 6"),  # the responsible
        ]
    )
    assert _entry(sessions, "answer").state is DeadlineState.BREACHED


def test_a_late_multi_instance_step_is_one_violation_and_one_notice(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    _complete(sessions, runtime, case, "screen", screen_decision="process")
    _complete(sessions, runtime, case, "route", departments=["roads", "housing"])
    clock.advance(timedelta(days=1, minutes=1))  # 8 working hours from Monday 10:00
    _drain(sessions, runtime)
    [late] = [v for v in _rows(sessions, Violation) if v.deadline_name == "draft_answer"]
    entry = _entry(sessions, "draft_answer")
    assert late.deadline_id == entry.id and entry.state is DeadlineState.BREACHED
    assert sorted(h["department"] for h in entry.holders) == ["housing", "roads"]
    heads = [n for n in _rows(sessions, Notice) if n.recipient_role == "head"]
    assert len(heads) == 1 and heads[0].clause == "Пример, п. 3"
    # The work goes on; finishing late ends the occurrence without a second record.
    for department in ("roads", "housing"):
        [task] = [t for t in open_tasks(sessions, case) if t.department == department]
        with sessions.begin() as session:
            complete_task(
                session, runtime, task.task_id,
                {"answer_kind": "final", "answer_text": "Здравствуйте! Исправим."}, "exec",
            )  # fmt: skip
    entry = _entry(sessions, "draft_answer")
    assert entry.state is DeadlineState.BREACHED and entry.ended_at == clock.now()
    assert len([v for v in _rows(sessions, Violation) if v.deadline_name == "draft_answer"]) == 1


def test_the_violation_names_who_held_the_step_at_the_breach(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    _complete(sessions, runtime, case, "screen", screen_decision="process")
    _complete(sessions, runtime, case, "route", departments=["roads"])
    [draft] = open_tasks(sessions, case)
    with sessions.begin() as session:
        claim_task(session, runtime, draft.task_id, "petrov")
    clock.advance(timedelta(days=1, minutes=1))
    _drain(sessions, runtime)
    [late] = [v for v in _rows(sessions, Violation) if v.deadline_name == "draft_answer"]
    assert (late.responsible_role, late.responsible_department, late.responsible_user) == (
        "executor",
        "roads",
        "petrov",
    )
    assert late.outside_office_hours is False  # a working-time term ends in office hours


def test_a_calendar_term_that_runs_out_at_night_is_marked_so(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime, screen={"text": "2 часа", "counted": "calendar"})
    clock.set(datetime(2026, 3, 16, 17, 30, tzinfo=MSK))
    send(sessions, runtime)
    clock.set(datetime(2026, 3, 16, 19, 31, tzinfo=MSK))
    _drain(sessions, runtime)
    [late] = _rows(sessions, Violation)
    assert late.due_at == datetime(2026, 3, 16, 19, 30, tzinfo=MSK)
    assert late.outside_office_hours is True


def test_the_curator_may_shorten_the_term_but_never_lengthen_it(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _deploy(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    _complete(sessions, runtime, case, "screen", screen_decision="process")
    _complete(
        sessions, runtime, case, "route", departments=["roads"], shortened_deadline="4 рабочих часа"
    )
    # From arrival, Monday 10:00: 10–13 and 14–15, lunch aside.
    assert _entry(sessions, "answer").due_at == datetime(2026, 3, 16, 15, 0, tzinfo=MSK)


def test_a_restarted_pause_counts_the_whole_term_again_from_the_reply(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime, answer={"pause": {"while": "await_reply", "mode": "restart"}})
    case = send(sessions, runtime, thread_id="post-1").result.instance.id
    _complete(sessions, runtime, case, "screen", screen_decision="clarify")
    _complete(
        sessions, runtime, case, "publish_clarification", published_url="https://vk.com/wall-1_1"
    )
    assert _entry(sessions, "answer").state is DeadlineState.PAUSED
    clock.set(datetime(2026, 3, 17, 12, 0, tzinfo=MSK))
    send(sessions, runtime, external_id="2", thread_id="post-1", text="Уточняю: дом 5.")
    entry = _entry(sessions, "answer")
    # Two working days from Tuesday noon: Wednesday and Thursday, to 18:00.
    assert entry.state is DeadlineState.ARMED
    assert entry.due_at == datetime(2026, 3, 19, 18, 0, tzinfo=MSK)
    with sessions() as session:
        kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == case)))
    assert AuditKind.DEADLINE_PAUSED in kinds and AuditKind.DEADLINE_RESUMED in kinds


def test_a_script_or_condition_reads_the_due_of_the_cases_current_occurrence(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _deploy(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    with sessions() as session, using_clock(runtime.clock):
        instance = session.get_one(ProcessInstance, case)
        loaded = load_version(session.get_one(ProcessVersion, instance.version_id), runtime)
        ledger = CaseLedger(session, instance, loaded, runtime.clock.now())
        workflow = read_workflow(session, runtime, case)
        with using_ledger(ledger):
            due = loaded.script_engine.environment.evaluate(
                'deadline("answer")', dict(workflow.data)
            )
    assert datetime.fromisoformat(due) == datetime(2026, 3, 18, 18, 0, tzinfo=MSK)


@pytest.fixture
def breached(sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock) -> int:
    """A case whose screening is late: the curator is notified of nothing, the head of the span."""
    _deploy(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    clock.set(datetime(2026, 3, 18, 18, 1, tzinfo=MSK))
    _drain(sessions, runtime)
    return case


def test_a_notice_is_acknowledged_once_by_its_recipients_and_audited(
    sessions: sessionmaker[Session], runtime: Runtime, breached: int
) -> None:
    [head_notice] = [n for n in _rows(sessions, Notice) if n.recipient_role == "head"]
    common = {"municipality": "example", "departments": frozenset(), "now": runtime.clock.now()}
    with sessions.begin() as session, pytest.raises(NoticeNotFound):
        acknowledge(
            session, head_notice.id, roles=frozenset({"executor"}), actor="x", comment="", **common
        )
    with sessions.begin() as session, pytest.raises(NoticeNotFound):
        acknowledge(
            session, head_notice.id, **{**common, "municipality": "perm"},
            roles=frozenset({"head"}), actor="x", comment="",
        )  # fmt: skip
    for comment in ("Разобрались с отделом.", "второй раз"):
        with sessions.begin() as session:
            acknowledge(
                session, head_notice.id, roles=frozenset({"head"}), actor="glava",
                comment=comment, **common,
            )  # fmt: skip
    [done] = [n for n in _rows(sessions, Notice) if n.id == head_notice.id]
    assert (done.acknowledged_by, done.comment) == ("glava", "Разобрались с отделом.")
    with sessions() as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.NOTICE_ACKNOWLEDGED)
        ).all()
    assert len(audited) == 1 and audited[0].actor == "glava"


def test_delivery_channels_get_each_notice_once_and_a_failing_one_keeps_it_in_the_outbox(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    breached: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[int] = []
    monkeypatch.setitem(NOTICE_CHANNELS, "test", lambda notice: sent.append(notice.id))
    total = len(_rows(sessions, Notice))
    assert deliver_pending(sessions, runtime.clock.now()) == total
    assert deliver_pending(sessions, runtime.clock.now()) == 0 and len(sent) == total

    def broken(_notice: Notice) -> None:
        raise ConnectionError("mail server down")

    monkeypatch.setitem(NOTICE_CHANNELS, "test", broken)
    with sessions.begin() as session:
        for notice in session.scalars(select(Notice)):
            notice.delivered_at = None
    assert deliver_pending(sessions, runtime.clock.now()) == 0
    assert all(n.delivered_at is None for n in _rows(sessions, Notice))
