"""What one advance sends to the database: a budget of statements, one flush of what it wrote.

Counted, not timed (benchmarks/ times them): the count is the same on every machine, so a
change that adds a query per step or splits a flush shows up here as a failure.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.instances import complete_task
from engine.models import AuditEvent
from engine.projection import _last_authors
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.engine.helpers import deploy_example, open_tasks, send
from tests.statements import statements

STEPS = (
    ("screen", {"screen_decision": "process"}),
    ("route", {"departments": ["housing", "roads"]}),
    ("draft_answer", {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен."}),
    ("review", {"review_decision": "approve"}),
)
# A step's transaction: the lock of its task's case (which reads the staff's revision too, so
# the new-task notices use the roster this process keeps: engine/inbox/roster.py), and one
# flush (audit, deadlines, state, and the tasks: a step handed on rewrites the row of the step
# it replaces, and a second department's step is inserted beside it). The case's open tasks
# and deadlines come with its live workflow (engine/live_rows.py), a redo's author from the
# case's own record (engine/projection.py): nothing else is read.
PER_STEP = 6
# The thread lock (which reads the staff's revision and the version a new case starts on with
# it: engine/intake.py), the thread's cases, the message, the case, and one flush (audit,
# deadlines, the message's case, state, tasks).
INTAKE = 9


def test_each_step_of_the_example_stays_within_its_statement_budget(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    # A version's first load and the first advance's read of its row (engine/live.py) happen
    # once per database and process, not per step.
    warm_up = send(sessions, runtime, "warm-up").result.instance.id
    (screen,) = open_tasks(sessions, warm_up)
    with sessions.begin() as session:
        complete_task(session, runtime, screen.task_id, dict(STEPS[0][1]), "curator1")
    with statements(db_engine) as sent:
        case = send(sessions, runtime).result.instance.id
    assert len(sent) <= INTAKE, sent
    assert _audit_inserts(sent) == 1, sent  # one statement for all its rows
    for element, data in STEPS:
        for task in [t for t in open_tasks(sessions, case) if t.element_id == element]:
            with statements(db_engine) as sent, sessions.begin() as session:
                complete_task(session, runtime, task.task_id, data, "curator1")
            assert len(sent) <= PER_STEP, (element, sent)
            assert _audit_inserts(sent) == 1, (element, sent)


def _audit_inserts(sent: list[str]) -> int:
    return sum(statement.startswith("INSERT INTO audit_events") for statement in sent)


def test_the_author_of_a_completion_not_flushed_yet_is_found(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    now = runtime.clock.now()
    with sessions() as session, session.no_autoflush:
        for minutes, actor in ((1, "housing1"), (2, "housing2")):
            audit.record(
                session,
                AuditKind.TASK_COMPLETED,
                now + timedelta(minutes=minutes),
                actor,
                instance_id=case,
                task_id=f"t{minutes}",
                element_id="draft_answer",
                department="housing",
            )
        # The later completion, still pending in this transaction, is the last author.
        assert _last_authors(session, case, {"draft_answer"}) == {
            ("draft_answer", "housing"): "housing2"
        }
        # Its query ran without autoflush, so it wrote nothing: it read the buffer.
        assert [row.actor for row in audit.pending(session)] == ["housing1", "housing2"]
    with sessions() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.task_id == "t2")).all() == []
