"""The issue's own scenario: 20 Perm cases on v1, a v2 with п. 3.2.1 in 3 hours and a new step.

The fixture (tests/fixtures/perm_versions/, README there) is Perm's regulation frozen as v1 and a
v2 that shortens «Пермь, п. 3.2.1» from 4 to 3 hours, adds «Согласовать ответ» before the
placement, and gives the placement step a new id (`publish` → `place_answer`), so a case standing
on it cannot move without a mapping.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.models import AuditEvent, CaseDeadline, ProcessInstance
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind, InstanceStatus
from engine.versioning.batch import cases_to_migrate, migrate_batch, plan_for
from engine.versioning.diff import diff_versions
from engine.versioning.migration import CaseVerdict, MigrationPlan
from engine.versions import deploy_file
from tests.engine.helpers import only_task, send

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "perm_versions"
ANSWER = "Здравствуйте! Спортзал школы № 9 отремонтируют в июле."
DATA: dict[str, dict[str, Any]] = {
    "screen": {"screen_decision": "process", "page": "head"},
    "route": {"departments": ["deo"], "executor_publishes": False},
    "draft_feed": {"answer_kind": "final", "answer_text": ANSWER},
    "review_answer": {"review_decision": "approve"},
    "approve_answer": {"approval_note": "Согласовано."},
    "publish": {"publish_via": "manual", "published_url": "https://vk.com/wall-1_1?reply=9"},
    "place_answer": {"publish_via": "manual", "published_url": "https://vk.com/wall-1_1?reply=9"},
}
# 20 cases: how many steps each has done (0: at screening … 4: at the placement, removed in v2).
SPREAD = [0] * 4 + [1] * 4 + [2] * 6 + [3] * 3 + [4] * 3
MAPPING = {"publish": "place_answer"}


@pytest.fixture
def perm_runtime(clock: VirtualClock) -> Runtime:
    """The runtime on the fixture's processes folder (Perm's v1 and v2)."""
    return Runtime(clock=clock, processes_dir=FIXTURE)


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, label: str) -> None:
    with sessions.begin() as session:
        deploy_file(session, runtime, FIXTURE / "perm" / label / "perm.bpmn", "admin")


def _complete(sessions: sessionmaker[Session], runtime: Runtime, instance_id: int) -> str:
    task = only_task(sessions, instance_id)
    with sessions.begin() as session:
        complete_task(session, runtime, task.task_id, DATA[task.element_id], "perm.curator")
    return task.element_id


def _case(sessions: sessionmaker[Session], runtime: Runtime, number: int, steps: int) -> int:
    intake = send(
        sessions,
        runtime,
        f"perm-{number}",
        municipality="perm",
        author_id=f"perm-author-{number}",
        channel="feed",
        payload={"page": "head"},
        text="Когда в школе № 9 отремонтируют спортзал?",
    )
    instance_id = intake.message.instance_id
    assert instance_id is not None
    for _ in range(steps):
        _complete(sessions, runtime, instance_id)
    return instance_id


def _twenty(sessions: sessionmaker[Session], runtime: Runtime) -> list[int]:
    _deploy(sessions, runtime, "v1")
    cases = [_case(sessions, runtime, number, steps) for number, steps in enumerate(SPREAD)]
    _deploy(sessions, runtime, "v2")  # new messages take v2; the 20 stay on v1
    return cases


def _plan(sessions: sessionmaker[Session], **options: Any) -> MigrationPlan:
    with sessions() as session:
        return plan_for(session, "perm", "v1", "v2", **options)


def _run(
    sessions: sessionmaker[Session], runtime: Runtime, plan: MigrationPlan, cases: list[int]
) -> tuple[list[CaseVerdict], list[CaseVerdict]]:
    dry = migrate_batch(sessions, runtime, plan, cases, "perm.admin", dry_run=True)
    real = migrate_batch(sessions, runtime, plan, cases, "perm.admin", dry_run=False)
    assert [v.as_json() for v in dry] == [v.as_json() for v in real]
    return dry, real


def _draft_deadline(sessions: sessionmaker[Session], instance_id: int) -> CaseDeadline:
    with sessions() as session:
        query = select(CaseDeadline).where(
            CaseDeadline.instance_id == instance_id, CaseDeadline.name == "draft_feed"
        )
        return session.scalars(query).one()


def _finish(sessions: sessionmaker[Session], runtime: Runtime, instance_id: int) -> list[str]:
    done = []
    for _ in range(8):
        with sessions() as session:
            if session.get_one(ProcessInstance, instance_id).status is InstanceStatus.COMPLETED:
                return done
        done.append(_complete(sessions, runtime, instance_id))
    raise AssertionError(f"case {instance_id} did not finish: {done}")


def test_the_fixture_is_the_issues_v2(
    sessions: sessionmaker[Session], perm_runtime: Runtime
) -> None:
    _deploy(sessions, perm_runtime, "v1")
    _deploy(sessions, perm_runtime, "v2")
    plan = _plan(sessions)
    found = diff_versions(plan.old, plan.new).changes
    changes = {(c.section, c.change, c.element_id) for c in found}
    texts = [c.text for c in found]
    assert ("steps", "added", "approve_answer") in changes
    assert ("steps", "removed", "publish") in changes and (
        "steps",
        "added",
        "place_answer",
    ) in changes
    assert any("«4 часа» → «3 часа»" in text for text in texts), texts


def test_twenty_cases_the_dry_run_equals_the_real_run_and_a_mapping_moves_the_rest(
    sessions: sessionmaker[Session], perm_runtime: Runtime
) -> None:
    cases = _twenty(sessions, perm_runtime)
    at_publish = cases[-3:]
    drafting = cases[8:14]
    armed = {case: _draft_deadline(sessions, case).due_at for case in drafting}
    plan = _plan(sessions)
    with sessions() as session:
        assert cases_to_migrate(session, plan) == cases
    _dry, real = _run(sessions, perm_runtime, plan, cases)
    refused = [v for v in real if not v.can]
    assert [v.instance_id for v in refused] == at_publish
    assert all("«Разместить ответ» (publish)" in v.reason for v in refused)
    assert all("--mapping" in v.reason for v in refused)
    moved = {v.instance_id: v for v in real if v.can}
    steps = [["screen"], ["route"], ["draft_feed"]]
    assert [moved[case].steps_before for case in cases[:9:4]] == steps
    for case in drafting:  # kept by default: the rule in force when the term started
        [shift] = [s for s in moved[case].deadlines if s.name == "draft_feed"]
        assert (shift.old_text, shift.new_text) == ("4 часа", "4 часа")
        assert shift.old_due == shift.new_due == armed[case].isoformat()
        assert _draft_deadline(sessions, case).due_at == armed[case]
    with sessions() as session:
        versions = [session.get_one(ProcessInstance, case).version_id for case in cases]
    assert versions == [plan.new.id] * 17 + [plan.old.id] * 3  # each case whole on one version
    _dry, mapped = _run(sessions, perm_runtime, _plan(sessions, mapping=MAPPING), cases)
    assert [v.already for v in mapped] == [True] * 17 + [False] * 3  # re-running: a no-op
    assert all(v.can and v.steps_after == ["place_answer"] for v in mapped[-3:])
    with sessions() as session:
        migrated = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind == AuditKind.INSTANCE_MIGRATED)
            .order_by(AuditEvent.id)
        ).all()
    assert [event.instance_id for event in migrated] == cases  # once each, in batch order
    assert {event.actor for event in migrated} == {"perm.admin"}
    assert [event.data["mapping"] for event in migrated[-3:]] == [MAPPING] * 3
    assert migrated[-1].data["steps_before"] == ["publish"]
    assert migrated[-1].data["steps_after"] == ["place_answer"]
    assert _finish(sessions, perm_runtime, cases[0]) == [
        "screen",
        "route",
        "draft_feed",
        "review_answer",
        "approve_answer",  # the new step, on v2
        "place_answer",
    ]
    assert _finish(sessions, perm_runtime, cases[14]) == [
        "review_answer",
        "approve_answer",
        "place_answer",
    ]
    assert _finish(sessions, perm_runtime, cases[-1]) == ["place_answer"]


def test_armed_deadlines_are_kept_or_recounted_under_the_new_table(
    sessions: sessionmaker[Session], perm_runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, perm_runtime, "v1")
    kept, recounted = (_case(sessions, perm_runtime, number, 2) for number in (1, 2))
    four_hours = _draft_deadline(sessions, kept).due_at
    _deploy(sessions, perm_runtime, "v2")
    [keep] = migrate_batch(sessions, perm_runtime, _plan(sessions), [kept], "a", dry_run=False)
    recompute = _plan(sessions, recompute=True)
    [dry] = migrate_batch(sessions, perm_runtime, recompute, [recounted], "a", dry_run=True)
    [moved] = migrate_batch(sessions, perm_runtime, recompute, [recounted], "a", dry_run=False)
    assert dry.as_json() == moved.as_json()
    assert _draft_deadline(sessions, kept).due_at == four_hours
    assert keep.deadlines[0].new_text == "4 часа"
    entry = _draft_deadline(sessions, recounted)
    assert four_hours - entry.due_at == timedelta(hours=1)  # both started in the same minute
    assert (entry.text, entry.clause) == ("3 часа", "Пермь, п. 3.2.1")
    [shift] = [s for s in moved.deadlines if s.name == "draft_feed"]
    assert (shift.old_text, shift.new_text) == ("4 часа", "3 часа")
    with sessions() as session:
        audit = {
            event.instance_id: event.data
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.kind == AuditKind.INSTANCE_MIGRATED)
            )
        }
    assert audit[kept]["deadlines"] == "kept" and audit[recounted]["deadlines"] == "recomputed"
    assert audit[recounted]["shifts"][0]["new_text"] == "3 часа"
    clock.set(entry.due_at + timedelta(minutes=30))  # past the recounted term, before the kept
    tick(sessions, perm_runtime)
    assert _draft_deadline(sessions, recounted).state.value == "breached"
    assert _draft_deadline(sessions, kept).state.value == "armed"
