"""Engine work per message and per step: SQL statements, commits, and the cost of rework loops."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.bench_engine import ACTOR, FORM_DATA, ORDER, STEP, _track, run_persisted_case
from benchmarks.common import (
    databases,
    deploy_example,
    make_runtime,
    message_fields,
    ms,
    new_sessions,
    show,
    sized,
    sqlite_database,
)
from benchmarks.report import REPORT, Goal
from engine.clock import VirtualClock
from engine.instances import advance, complete_task
from engine.intake import receive_message
from engine.models import ProcessInstance
from engine.runtime import Runtime

TRANSACTIONS = 1 + len(ORDER) + 1  # intake, the five steps, the second department's draft
REWORK = {"review_decision": "rework", "rework_reasons": ["formal"]}
LOOP_MARKS = (0, 1, 5, 10, 20)
STEP_RUNS = 15


class Counter:
    """SQL statements and commits an engine sends while counting."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, *_: Any) -> None:
        self.commits += 1


@contextmanager
def counting(engine: Engine) -> Iterator[Counter]:
    """Count the statements and commits sent to `engine` inside the block."""
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter._statement)
    event.listen(engine, "commit", counter._commit)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter._statement)
        event.remove(engine, "commit", counter._commit)


def bench_statements(folder: Path) -> None:
    """SQL statements and commits per message through the example (goal: ≤ 35, one commit each)."""
    cases = sized(20, 5)
    REPORT.setting("engine", statements_cases=cases)
    print(f"== 4. SQL per message ({cases} cases, {TRANSACTIONS} transactions each)")
    for name, engine in databases(folder):
        if engine is None:
            continue
        sessions = new_sessions(engine)
        clock, runtime = make_runtime()
        deploy_example(sessions, runtime)
        run_persisted_case(sessions, runtime, clock, 0)
        with counting(engine) as counter:
            for number in range(1, cases + 1):
                run_persisted_case(sessions, runtime, clock, number)
        statements = counter.statements / cases
        commits = counter.commits / cases / TRANSACTIONS
        show(f"{name}: statements per message", f"{statements:,.1f}", "goal ≤ 35")
        show(f"{name}: commits per transaction", f"{commits:,.2f}", "goal 1")
        REPORT.add("engine", f"{name} SQL statements per message", statements, "", Goal(35))
        REPORT.add("engine", f"{name} commits per transaction", commits, "", Goal(1))
    print()


def _rework_loop(
    sessions: sessionmaker[Session], runtime: Runtime, open_tasks: dict[str, str]
) -> None:
    """Send the answer back from review, then draft it again in every department."""
    clock = runtime.clock
    assert isinstance(clock, VirtualClock)
    for element, data in (("review", REWORK), ("draft_answer", FORM_DATA["draft_answer"])):
        for task_id in [task for task, el in open_tasks.items() if el == element]:
            clock.advance(STEP)
            with sessions.begin() as session:
                _track(open_tasks, complete_task(session, runtime, task_id, data, ACTOR))


def _to_review(sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock) -> Any:
    """A case at review after two drafts; its id and open tasks."""
    with sessions.begin() as session:
        result = receive_message(session, runtime, message_fields(1, clock), ACTOR).result
    open_tasks: dict[str, str] = {}
    _track(open_tasks, result)
    for element in ("screen", "route", "draft_answer"):
        for task_id in [task for task, el in open_tasks.items() if el == element]:
            clock.advance(STEP)
            with sessions.begin() as session:
                done = complete_task(session, runtime, task_id, FORM_DATA[element], ACTOR)
            _track(open_tasks, done)
    return result.instance.id, open_tasks


def _step_cost(sessions: sessionmaker[Session], runtime: Runtime, instance_id: int) -> float:
    """Median CPU seconds of one advance of the case (load, settle, save), rolled back each time.

    CPU time of this process, not wall time: the shared machine's load would swamp a ratio of
    two small figures (SQLite works inside the process, so its work is counted).
    """

    def once() -> float:
        began = time.process_time()
        with sessions() as session:
            advance(session, runtime, instance_id, ACTOR)
            session.flush()
            session.rollback()
        return time.process_time() - began

    once()
    return statistics.median(once() for _ in range(STEP_RUNS))


def _state_size(sessions: sessionmaker[Session], instance_id: int) -> tuple[int, int]:
    """Bytes of the stored state and the number of tasks in it."""
    with sessions() as session:
        state = session.get_one(ProcessInstance, instance_id).state
    return len(state.encode()), state.count('"task_spec"')


def bench_loops(folder: Path) -> None:
    """State bytes and the cost of a step against rework loops (goal: ×1.5 after 20 loops)."""
    print("== 5. Rework loops (review → rework → two drafts), SQLite; a step = one advance")
    with sqlite_database(folder) as engine:
        sessions = new_sessions(engine)
        clock, runtime = make_runtime()
        deploy_example(sessions, runtime)
        instance_id, open_tasks = _to_review(sessions, runtime, clock)
        costs: dict[int, float] = {}
        warm: dict[int, float] = {}
        for loops in range(LOOP_MARKS[-1] + 1):
            if loops in LOOP_MARKS:
                size, tasks = _state_size(sessions, instance_id)
                costs[loops] = _step_cost(sessions, runtime, instance_id)
                ratio = costs[loops] / costs[0]
                show(f"after {loops} loops: state", f"{size:,} B", f"{tasks} tasks")
                show("  a step (CPU)", ms(costs[loops]), f"×{ratio:.2f} a fresh case's")
                REPORT.add("engine", f"state bytes after {loops} loops", size, "B")
            began = time.process_time()
            _rework_loop(sessions, runtime, open_tasks)
            warm[loops] = time.process_time() - began
    last = LOOP_MARKS[-1]
    # A loop right after a mark starts cold (the measured advance rolled back); these did not.
    first, late = warm[2], warm[last - 1]
    note = f"×{late / first:.2f} loop 2's {ms(first)} (the live-workflow cache spares reloads)"
    show(f"loop {last - 1}: three steps committed (CPU)", ms(late), note)
    REPORT.add(
        "engine", f"rework loop {last - 1} ÷ loop 2, committed steps (CPU)", late / first, "×"
    )
    REPORT.add(
        "engine", f"step after {last} loops ÷ fresh (CPU)", costs[last] / costs[0], "×", Goal(1.5)
    )
    print()


def main() -> None:
    """Statements per message, then rework loops."""
    with tempfile.TemporaryDirectory(prefix="reglament-bench-steps-") as folder:
        bench_statements(Path(folder) / "statements")
        bench_loops(Path(folder) / "loops")
