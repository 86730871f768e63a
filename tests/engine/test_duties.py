"""Scheduled duties: each occurrence a case, started exactly once, late ones caught up."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.parsing import DeployError
from engine.clock import VirtualClock
from engine.duties.due import start_due_duties
from engine.models import DutyOccurrence, OpenUserTask, ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scenarios.loader import ScenarioFormatError, load_scenario
from engine.scheduler import tick
from engine.versions import VersionFiles, deploy_files
from tests.conftest import EXAMPLE_BPMN, MSK, PROCESSES, copy_example_version
from tests.engine.helpers import deploy_example


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)  # type: ignore[misc]


def occurrences(sessions: sessionmaker[Session]) -> list[DutyOccurrence]:
    with sessions() as session:
        query = select(DutyOccurrence).order_by(DutyOccurrence.occurs_at)
        return list(session.scalars(query))


def test_an_occurrence_becomes_a_case_dated_at_its_moment(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)  # Monday 16 March: the first occurrence is 1 April
    clock.set(msk(2026, 4, 1, 8, 59))
    assert tick(sessions, runtime).duties == []
    clock.set(msk(2026, 4, 1, 9, 5))
    started = tick(sessions, runtime).duties
    assert len(started) == 1
    assert tick(sessions, runtime).duties == []  # the next tick starts nothing again
    with sessions() as session:
        case = session.get_one(ProcessInstance, started[0])
        task = session.scalars(
            select(OpenUserTask).where(OpenUserTask.instance_id == case.id)
        ).one()
    assert case.process_id == "monthly_analysis"
    assert case.started_at == msk(2026, 4, 1, 9)
    assert (task.element_id, task.role) == ("prepare_analysis", "curator")
    assert task.due_at == msk(2026, 4, 8, 18)  # 5 working days from the next day
    [row] = occurrences(sessions)
    assert (row.occurs_at, row.late, row.instance_id) == (msk(2026, 4, 1, 9), False, case.id)


def test_a_tick_without_the_duty_round_leaves_the_occurrence_for_the_next(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    """The simulation, whose version declares no duty, spares the round (`duties=False`)."""
    deploy_example(sessions, runtime)
    clock.set(msk(2026, 4, 1, 9, 5))
    assert tick(sessions, runtime, duties=False).duties == []
    assert occurrences(sessions) == []
    assert len(tick(sessions, runtime).duties) == 1


def test_occurrences_missed_while_down_start_late_each_once_with_their_violation(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    clock.set(msk(2026, 6, 2, 10))  # no worker ran in April and May
    assert len(tick(sessions, runtime).duties) == 3
    assert tick(sessions, runtime).duties == []
    rows = occurrences(sessions)
    assert [row.occurs_at for row in rows] == [
        msk(2026, 4, 1, 9),
        msk(2026, 5, 4, 9),  # 1–3 May are days off
        msk(2026, 6, 1, 9),
    ]
    assert all(row.late for row in rows)
    with sessions() as session:
        for row, expected in zip(rows, (1, 1, 0), strict=True):
            query = select(Violation).where(Violation.instance_id == row.instance_id)
            assert len(session.scalars(query).all()) == expected  # the June term still runs


def test_two_workers_start_each_occurrence_exactly_once(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    clock.set(msk(2026, 7, 1, 10))  # four occurrences due at once: April to July
    barrier = threading.Barrier(2)
    started: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                started.extend(start_due_duties(sessions, runtime).started)
        except BaseException as error:  # the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(started) == len(set(started)) == 4
    with sessions() as session:
        cases = session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.process_id == "monthly_analysis")
        ).all()
    assert sorted(cases) == sorted(started)
    assert len(occurrences(sessions)) == 4


def test_the_database_refuses_a_second_row_for_one_occurrence(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    version = deploy_example(sessions, runtime)
    clock.set(msk(2026, 4, 1, 9, 5))
    tick(sessions, runtime)
    [row] = occurrences(sessions)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        twin = DutyOccurrence(
            version_id=version.id,
            municipality="example",
            process_id=row.process_id,
            start_event=row.start_event,
            occurs_at=row.occurs_at,
            started_at=clock.now(),
            late=False,
        )
        session.add(twin)


def test_a_new_version_does_not_repeat_an_occurrence_the_old_one_started(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    clock.set(msk(2026, 4, 1, 9, 5))
    assert len(tick(sessions, runtime).duties) == 1
    files = VersionFiles.read(EXAMPLE_BPMN)
    changed = replace(files, xml=files.xml.replace(b"5 \xd1\x80", b"5  \xd1\x80", 1))
    with sessions.begin() as session:
        newer = deploy_files(session, runtime, changed, "admin", municipality="example", label="v2")
    clock.set(msk(2026, 4, 1, 12))
    assert tick(sessions, runtime).duties == []
    clock.set(msk(2026, 5, 4, 9, 1))
    assert len(tick(sessions, runtime).duties) == 1
    assert [row.version_id for row in occurrences(sessions)][-1] == newer.version.id


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("ежеквартально", "«ежеквартально» пока не поддерживается"),
        ("PT1H", "не найдена периодичность"),
    ],
)
def test_a_schedule_the_engine_cannot_read_is_refused_at_deploy(
    sessions: sessionmaker[Session], runtime: Runtime, schedule: str, reason: str
) -> None:
    files = VersionFiles.read(EXAMPLE_BPMN)
    text = "ежемесячно, в первый рабочий день месяца".encode()
    broken = replace(files, xml=files.xml.replace(text, schedule.encode()))
    with pytest.raises(DeployError, match=reason) as refused, sessions.begin() as session:
        deploy_files(session, runtime, broken, "admin", municipality="example", label="v2")
    assert refused.value.element_id == "month_started"


def test_a_duty_scenario_with_a_message_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "example" / "v1"
    folder.mkdir(parents=True)
    copy_example_version(folder)
    path = folder / "both.scenario.yaml"
    path.write_text(
        "start: 2026-03-31T12:00:00+03:00\nduty: monthly_analysis\nmessage: {text: Привет}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioFormatError, match="a duty scenario has no message"):
        load_scenario(path, PROCESSES)


def test_a_duty_with_two_start_events_is_refused(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    files = VersionFiles.read(EXAMPLE_BPMN)
    second = (
        '<bpmn:startEvent id="second_start"><bpmn:timerEventDefinition id="second_timer">'
        "<bpmn:timeCycle>ежедневно в 10:00</bpmn:timeCycle></bpmn:timerEventDefinition>"
        "</bpmn:startEvent>\n"
    ).encode()
    anchor = b'<bpmn:startEvent id="month_started"'
    broken = replace(files, xml=files.xml.replace(anchor, second + anchor))
    refusal = "одно стартовое событие-таймер"
    with pytest.raises(DeployError, match=refusal) as refused, sessions.begin() as session:
        deploy_files(session, runtime, broken, "admin", municipality="example", label="v2")
    assert refused.value.element_id == "monthly_analysis"
