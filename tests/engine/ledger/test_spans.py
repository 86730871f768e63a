"""Span deadlines whose events fall in one engine round, or whose duty is known only later."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import complete_task, read_workflow
from engine.ledger.case import _ran_in
from engine.models import AuditEvent, CaseDeadline, Violation
from engine.regulation.table import TableError, read_table
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind, DeadlineState
from engine.timers import all_tasks, is_timer
from engine.versions import deploy_xml
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE, MSK
from tests.engine.helpers import open_tasks, send
from tests.engine.versioning.test_perm_migration import FIXTURE as PERM_FIXTURE
from tests.engine.versioning.test_perm_migration import _case as perm_case
from tests.engine.versioning.test_perm_migration import _deploy as perm_deploy

TABLE: dict[str, Any] = yaml.safe_load(EXAMPLE_TABLE.read_text(encoding="utf-8"))
MONDAY = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)  # the clock fixture's start


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, **rows: dict[str, Any]) -> None:
    table = copy.deepcopy(TABLE)
    table["deadlines"].update(rows)
    with sessions.begin() as session:
        deploy_xml(
            session, runtime, EXAMPLE_BPMN.read_bytes(), "example.bpmn", "admin",
            municipality="example", label="v1",
            deadlines_yaml=yaml.safe_dump(table, allow_unicode=True).encode(),
            forms_yaml=(EXAMPLE_BPMN.parent / "forms.yaml").read_bytes(),
        )  # fmt: skip


def _entries(sessions: sessionmaker[Session], name: str) -> list[CaseDeadline]:
    with sessions() as session:
        query = select(CaseDeadline).where(CaseDeadline.name == name).order_by(CaseDeadline.id)
        return list(session.scalars(query))


def _violations(sessions: sessionmaker[Session]) -> list[str | None]:
    with sessions() as session:
        return [v.deadline_name for v in session.scalars(select(Violation))]


def _complete(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, element: str, **data: Any
) -> None:
    [task] = [t for t in open_tasks(sessions, case) if t.element_id == element][:1]
    with sessions.begin() as session:
        complete_task(session, runtime, task.task_id, data, "curator1")


def _drain(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    while tick(sessions, runtime).advanced:
        pass


def test_a_span_started_and_ended_in_one_round_is_met_not_left_armed(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    # The arrival starts it and the script task `classify`, run in the same round, ends it.
    triage = {
        "clause": "Пример, п. 2",
        "text": "1 рабочий час",
        "from": "received",
        "until": "classify",
        "responsible": "holder",
    }
    _deploy(sessions, runtime, triage=triage)
    send(sessions, runtime)
    [entry] = _entries(sessions, "triage")
    assert entry.state is DeadlineState.MET and entry.ended_at == clock.now()
    clock.advance(timedelta(hours=2))  # its due passes: a discharged duty records nothing
    _drain(sessions, runtime)
    assert "triage" not in _violations(sessions)
    [entry] = _entries(sessions, "triage")
    assert entry.state is DeadlineState.MET and entry.due_at == datetime(
        2026, 3, 16, 11, 0, tzinfo=MSK
    )


ANSWER = {"answer_kind": "final", "answer_text": "Здравствуйте! Исправим."}
KNOWN_LATER = {
    "clause": "Пример, п. 9",
    "text": "1 рабочий день",
    "from": "received",
    "known_at": "review",  # only the review says the answer is an intermediate one
    "when": 'review_decision == "intermediate"',
    "until": "publish_intermediate",
    "responsible": "holder",
}


def _to_review(sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock) -> int:
    case = send(sessions, runtime).result.instance.id
    clock.advance(timedelta(minutes=30))
    _complete(sessions, runtime, case, "screen", screen_decision="process")
    _complete(sessions, runtime, case, "route", departments=["roads"])
    _complete(sessions, runtime, case, "draft_answer", **ANSWER)
    return case


def test_a_span_known_only_at_a_later_step_is_armed_there_counted_from_its_start(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime, placed=KNOWN_LATER)
    case = _to_review(sessions, runtime, clock)
    assert _entries(sessions, "placed") == []  # its start passed long ago, `when` unread
    _complete(sessions, runtime, case, "review", review_decision="intermediate")
    [entry] = _entries(sessions, "placed")
    assert entry.state is DeadlineState.ARMED and entry.armed_at == clock.now()
    # Counted from the arrival (Monday 10:00), not from the review: one working day, Tuesday.
    assert entry.start_at == MONDAY
    assert entry.due_at == datetime(2026, 3, 17, 18, 0, tzinfo=MSK)


def test_a_span_whose_later_step_says_it_does_not_apply_is_never_armed(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime, placed=KNOWN_LATER)
    case = _to_review(sessions, runtime, clock)
    _complete(sessions, runtime, case, "review", review_decision="approve")
    clock.advance(timedelta(days=3))
    _drain(sessions, runtime)
    assert _entries(sessions, "placed") == [] and "placed" not in _violations(sessions)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"step": "review", "until": None}, "только у срока от события до шага"),
        ({"from": {"completed": "route"}}, "«known_at»: срок считается от received"),
    ],
)
def test_known_at_is_refused_where_it_cannot_be_counted(row: dict[str, Any], message: str) -> None:
    item = {key: value for key, value in {**KNOWN_LATER, **row}.items() if value is not None}
    with pytest.raises(TableError, match=message):
        read_table({"deadlines": {"placed": item}})


def _draft_breached_where_publish_supersedes_it(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> int:
    """A case whose draft is late, under a table where publication's term replaces the draft's.

    Artificially so (Perm 3.4's photos replace 3.2).
    """
    draft = {**TABLE["deadlines"]["draft_answer"], "superseded_by": "publish"}
    _deploy(sessions, runtime, draft_answer=draft)
    case = send(sessions, runtime).result.instance.id
    _complete(sessions, runtime, case, "screen", screen_decision="process")
    _complete(sessions, runtime, case, "route", departments=["roads"])
    clock.advance(timedelta(days=1, minutes=1))  # past 8 working hours
    _drain(sessions, runtime)
    return case


def test_a_term_armed_later_withdraws_the_breach_of_the_term_it_replaces(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    case = _draft_breached_where_publish_supersedes_it(sessions, runtime, clock)
    assert _violations(sessions).count("draft_answer") == 1
    _complete(sessions, runtime, case, "draft_answer", **ANSWER)
    assert _entries(sessions, "draft_answer")[-1].state is DeadlineState.BREACHED
    _complete(sessions, runtime, case, "review", review_decision="approve")
    [entry] = _entries(sessions, "draft_answer")
    assert entry.state is DeadlineState.SUPERSEDED
    assert "draft_answer" not in _violations(sessions)
    with sessions() as session:
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.VIOLATION_WITHDRAWN)
        ).all()
    assert (event.data["deadline"], event.data["superseded_by"]) == ("draft_answer", "publish")


def test_superseded_by_must_name_another_row() -> None:
    row = {**TABLE["deadlines"]["draft_answer"], "superseded_by": "nowhere"}
    with pytest.raises(TableError, match="«superseded_by» — нет другого срока «nowhere»"):
        read_table({"deadlines": {**TABLE["deadlines"], "draft_answer": row}})


def test_a_breach_of_an_earlier_pass_is_withdrawn_by_its_superseding_term(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    # Three returns later the first pass's breach is still withdrawn (each pass its own row).
    case = _draft_breached_where_publish_supersedes_it(sessions, runtime, clock)
    _complete(sessions, runtime, case, "draft_answer", **ANSWER)
    for _ in range(3):
        _complete(
            sessions, runtime, case, "review", review_decision="rework", rework_reasons=["formal"]
        )
        _complete(sessions, runtime, case, "draft_answer", **ANSWER)
    _complete(sessions, runtime, case, "review", review_decision="approve")
    first, *later = _entries(sessions, "draft_answer")
    assert first.state is DeadlineState.SUPERSEDED and first.scope_id is None  # top level
    assert [entry.state for entry in later] == [DeadlineState.MET] * 3
    assert "draft_answer" not in _violations(sessions)


def test_a_step_row_whose_task_left_the_tree_is_matched_by_the_instance_it_recorded(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    # engine/bpmn/pruning.py may remove an earlier pass's task; `superseded_by` then finds its
    # breach by the (sub)process instance its row recorded, not by the tree.
    case = _draft_breached_where_publish_supersedes_it(sessions, runtime, clock)
    [row] = _entries(sessions, "draft_answer")
    assert row.task_id is not None and row.scope_id is None  # a step of the top-level process
    with sessions() as session:
        workflow = read_workflow(session, runtime, case)
    timer = next(task for task in all_tasks(workflow) if is_timer(task))
    assert _ran_in(row, timer)  # its task is in the tree
    pruned = CaseDeadline(task_id=str(uuid4()), scope_id=row.scope_id)
    assert _ran_in(pruned, timer)  # gone from the tree, same instance
    elsewhere = CaseDeadline(task_id=str(uuid4()), scope_id=str(uuid4()))
    assert not _ran_in(elsewhere, timer)  # gone from the tree, another subprocess instance


def test_a_step_inside_a_subprocess_records_the_instance_it_runs_in(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    runtime = Runtime(clock=clock, processes_dir=PERM_FIXTURE)
    perm_deploy(sessions, runtime, "v1")
    case = perm_case(sessions, runtime, 1, 2)  # at Perm's draft_feed, in a department subprocess
    [row] = [entry for entry in _entries(sessions, "draft_feed") if entry.instance_id == case]
    with sessions() as session:
        workflow = read_workflow(session, runtime, case)
    [draft] = [t for t in all_tasks(workflow) if str(t.id) == row.task_id]
    assert row.scope_id is not None and row.scope_id == str(draft.workflow.parent_task_id)
