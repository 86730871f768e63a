"""A case is locked once per transaction: the scheduler's claim is the advance's lock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from engine.scheduler import tick
from engine.tasks import claim_task
from tests.engine.helpers import deploy_example, open_tasks, send
from tests.statements import statements

LOCKS = {
    "sqlite": "SET revision=process_instances.revision",
    "postgresql": "FOR UPDATE",
}


def test_a_due_case_is_claimed_and_advanced_under_one_lock(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    send(sessions, runtime)
    runtime.clock.advance(timedelta(days=30))  # every deadline of the first step has passed
    with statements(db_engine) as sent:
        report = tick(sessions, runtime, duties=False)
    assert len(report.advanced) == 1
    locks = [s for s in sent if LOCKS[db_engine.dialect.name] in s]
    # One claim, which advanced the case and said no other was due: no claim to find none.
    assert len(locks) == 1, sent


def test_a_claim_takes_and_reads_the_task_in_one_statement(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    task = open_tasks(sessions, case)[0]
    with statements(db_engine) as sent, sessions.begin() as session:
        claimed = claim_task(session, runtime, task.task_id, "curator1")
    assert claimed.assignee == "curator1"
    assert [s.split()[0] for s in sent] == ["UPDATE", "INSERT"], sent  # the claim, its audit row
