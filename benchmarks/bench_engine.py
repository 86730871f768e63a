"""Engine core: case throughput, the scheduler tick at scale, stored bytes per case."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.common import (
    EXAMPLE_BPMN,
    databases,
    deploy_example,
    make_runtime,
    median_time,
    message_fields,
    ms,
    new_sessions,
    show,
    sized,
    sqlite_database,
    timed,
)
from benchmarks.report import REPORT, Goal
from engine.bpmn.serialization import dump_state, load_state
from engine.clock import VirtualClock, using_clock
from engine.forms import FormContext, VersionForms, library
from engine.instances import AdvanceResult, complete_task, initial_data
from engine.intake import receive_message
from engine.models import Message, ProcessInstance
from engine.runtime import Runtime
from engine.scheduler import due_instance_ids, tick
from engine.statuses import InstanceStatus
from engine.versions import load_version

ACTOR = "bench"
STEP = timedelta(minutes=1)
DEPARTMENTS = ["housing", "roads"]
ORDER = ("screen", "route", "draft_answer", "review", "publish")
FORM_DATA: dict[str, dict[str, Any]] = {
    "screen": {"screen_decision": "process"},
    "route": {"departments": DEPARTMENTS},
    "draft_answer": {
        "answer_kind": "final",
        "answer_text": "Здравствуйте! Вывоз мусора выполнен 16 марта.",
    },
    "review": {"review_decision": "approve"},
    "publish": {"published_url": "https://vk.com/wall-1_100?reply=7"},
}
THROUGHPUT_CASES = {"SQLite": 150, "PostgreSQL": 150}
MEMORY_CASES = 400
TICK_SIZES = (1_000, 100_000)
TICK_DUE = 10
FAILED_CASES = 10_000
INSERT_BATCH = 5_000
TICK_RUNS = 9
QUERY_RUNS = 101

# What complete_task stores after validation (every form key here equals its element id).
_LIBRARY = VersionForms(library(), FormContext())
VALIDATED = {element: _LIBRARY.validate(element, data) for element, data in FORM_DATA.items()}

SpecPair = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]


# --- 1. throughput of a message through the whole example process ----------------------


def _track(open_tasks: dict[str, str], result: AdvanceResult) -> None:
    """Keep the caller's view of open tasks (task id → element) in step with an advance."""
    for task_id in result.removed_task_ids:
        open_tasks.pop(task_id, None)
    for task in result.new_tasks:
        open_tasks[task.task_id] = task.element_id


def _next_open(open_tasks: dict[str, str], element: str) -> str | None:
    """The first open task of an element, if any."""
    return next((task_id for task_id, el in open_tasks.items() if el == element), None)


def run_persisted_case(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, number: int
) -> None:
    """One message from intake to publication, each step in its own transaction."""
    with sessions.begin() as session:
        result = receive_message(session, runtime, message_fields(number, clock), ACTOR).result
    open_tasks: dict[str, str] = {}
    _track(open_tasks, result)
    for element in ORDER:
        while (task_id := _next_open(open_tasks, element)) is not None:
            clock.advance(STEP)
            with sessions.begin() as session:
                result = complete_task(session, runtime, task_id, FORM_DATA[element], ACTOR)
            _track(open_tasks, result)
    if not result.completed:
        raise RuntimeError(f"case {number} did not complete: open {open_tasks}")


def parse_in_memory() -> SpecPair:
    """The example parsed by SpiffWorkflow's own parser, as a plain application would."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(EXAMPLE_BPMN))
    process_id = "example_regulation"  # the file also holds a scheduled duty's process
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def _transient_message(number: int, clock: VirtualClock) -> Message:
    """A Message object (never stored) for the initial data of an in-memory case."""
    fields = message_fields(number, clock)
    return Message(
        id=number,
        source=fields["source"],
        channel="feed",
        official_page=False,
        author=fields["author"],
        text=fields["text"],
        url=None,
        payload={},
        received_at=clock.now(),
    )


def _ready_task(workflow: BpmnWorkflow, element: str) -> Task | None:
    """The first READY user task of an element."""
    for task in workflow.get_tasks(state=TaskState.READY):
        if task.task_spec.manual and task.task_spec.bpmn_id == element:
            return task
    return None


def _complete_in_memory(task: Task, data: dict[str, Any], clock: VirtualClock) -> None:
    """Complete a task with the data complete_task would put on it."""
    now = clock.now().isoformat()
    task.data.update(data)
    task.data["completed_at"] = {**task.data.get("completed_at", {}), task.task_spec.bpmn_id: now}
    task.data["last_completed_at"] = now
    task.data["last_completed_by"] = ACTOR
    task.run()


def _settle(workflow: BpmnWorkflow) -> None:
    """Fire due timers and run engine steps, once."""
    workflow.refresh_timers()
    workflow.do_engine_steps()


def run_memory_case(
    specs: SpecPair, engine: Any, clock: VirtualClock, number: int, round_trip: bool = False
) -> None:
    """The same case in SpiffWorkflow alone; `round_trip` adds a state save/load per step."""
    with using_clock(clock):
        workflow = BpmnWorkflow(*specs, script_engine=engine)
        data = initial_data(_transient_message(number, clock))
        workflow.data.update(data)
        workflow.task_tree.data.update(data)
        _settle(workflow)
        for element in ORDER:
            while (task := _ready_task(workflow, element)) is not None:
                clock.advance(STEP)
                _complete_in_memory(task, VALIDATED[element], clock)
                _settle(workflow)
                if round_trip:
                    workflow = load_state(dump_state(workflow), *specs, engine)
        if not workflow.is_completed():
            raise RuntimeError(f"in-memory case {number} did not complete")


def _version_script_engine() -> Any:
    """The deployed example's script engine (its calendar and deadline table)."""
    # deadline("name") reads the version's table, so a scratch deploy provides the engine.
    scratch = tempfile.TemporaryDirectory(prefix="reglament-bench-memory-")
    with scratch as folder, sqlite_database(Path(folder)) as engine:
        sessions = new_sessions(engine)
        _, runtime = make_runtime()
        return load_version(deploy_example(sessions, runtime), runtime).script_engine


def _memory_rate(round_trip: bool) -> float:
    """Cases per second in memory (after one warm-up case)."""
    clock, _ = make_runtime()
    specs = parse_in_memory()
    engine = _version_script_engine()
    run_memory_case(specs, engine, clock, 0, round_trip)
    cases = sized(MEMORY_CASES, MEMORY_CASES // 8)
    count = cases // 4 if round_trip else cases
    cpu = time.process_time()
    seconds = timed(
        lambda: [run_memory_case(specs, engine, clock, n, round_trip) for n in range(1, count + 1)]
    )
    _CPU_PER_CASE["memory+dump" if round_trip else "memory"] = (time.process_time() - cpu) / count
    return count / seconds


_CPU_PER_CASE: dict[str, float] = {}  # dialect → CPU seconds of this process per case


def _persisted_rate(engine: Engine, cases: int) -> float:
    """Cases per second through the engine API on a fresh database (after one warm-up)."""
    sessions = new_sessions(engine)
    clock, runtime = make_runtime()
    deploy_example(sessions, runtime)
    run_persisted_case(sessions, runtime, clock, 0)
    cpu = time.process_time()
    seconds = timed(
        lambda: [run_persisted_case(sessions, runtime, clock, n) for n in range(1, cases + 1)]
    )
    _CPU_PER_CASE[engine.dialect.name] = (time.process_time() - cpu) / cases
    return cases / seconds


def bench_throughput(folder: Path) -> None:
    """Messages per second through screen→route→draft×2→review→publish, persisted vs memory."""
    steps = 1 + len(ORDER) + len(DEPARTMENTS) - 1
    print(f"== 1. A message through the whole example process ({steps} transactions per case,")
    memory_cases = sized(MEMORY_CASES, MEMORY_CASES // 8)
    print(f"      {len(DEPARTMENTS)} departments; {memory_cases} cases in memory)")
    REPORT.setting("engine", memory_cases=memory_cases)
    memory = _memory_rate(round_trip=False)
    trip = _memory_rate(round_trip=True)
    show("SpiffWorkflow in memory", f"{memory:,.1f} msg/s")
    show("  + state dump/load after each step", f"{trip:,.1f} msg/s", f"×{trip / memory:.2f}")
    for name, engine in databases(folder):
        if engine is None:
            continue
        cases = sized(THROUGHPUT_CASES[name], THROUGHPUT_CASES[name] // 6)
        REPORT.setting("engine", **{f"{name}_cases": cases})
        rate = _persisted_rate(engine, cases)
        per_case = f"{1000 / rate:,.1f} ms per case, {1000 / rate / steps:,.1f} ms per step"
        show(f"engine API on {name} ({cases} cases)", f"{rate:,.1f} msg/s", per_case)
        show("  persisted/in-memory", f"{rate / memory:.3f}", f"overhead ×{memory / rate:.1f}")
        goal = Goal(4 if name == "SQLite" else 8)
        REPORT.add("engine", f"{name} ms per message", 1000 / rate, "ms")
        REPORT.add("engine", f"{name} persisted ÷ in-memory overhead", memory / rate, "×", goal)
        # This process's CPU only (PostgreSQL's server work is not in it): steady under load.
        cpu, memory_cpu = _CPU_PER_CASE[engine.dialect.name], _CPU_PER_CASE["memory"]
        show("  CPU of this process per message", ms(cpu), f"×{cpu / memory_cpu:.1f} in-memory")
        REPORT.add("engine", f"{name} process CPU ms per message", cpu * 1000, "ms")
        REPORT.add("engine", f"{name} process CPU ÷ in-memory CPU", cpu / memory_cpu, "×", goal)
    REPORT.add("engine", "in-memory ms per message", 1000 / memory, "ms")
    REPORT.add("engine", "in-memory CPU ms per message", _CPU_PER_CASE["memory"] * 1000, "ms")
    print()


# --- 2. scheduler tick with many waiting cases --------------------------------------------


def _start_due_cases(sessions: sessionmaker[Session], runtime: Runtime, clock: Any) -> list[int]:
    """Real cases (each with its own task ids) that the tick will find due."""
    ids = []
    for number in range(TICK_DUE):
        with sessions.begin() as session:
            intake = receive_message(session, runtime, message_fields(number, clock), ACTOR)
            ids.append(intake.result.instance.id)
    return ids


def _template_row(sessions: sessionmaker[Session], instance_id: int) -> dict[str, Any]:
    """A case's process_instances row as insert values (without its id)."""
    table = ProcessInstance.__table__
    with sessions() as session:
        row = session.execute(select(table).where(table.c.id == instance_id)).mappings().one()
    return {key: value for key, value in row.items() if key != "id"}


def _insert_copies(
    engine: Engine, template: dict[str, Any], numbers: range, due: datetime, **values: Any
) -> None:
    """Bulk-insert numbered copies of a case row, the i-th of them due at `due` + i minutes."""
    table = ProcessInstance.__table__
    for start in range(numbers.start, numbers.stop, INSERT_BATCH):
        rows = [
            {**template, **values, "correlation_key": f"copy-{n}", "next_due_at": due + offset}
            for n in range(start, min(start + INSERT_BATCH, numbers.stop))
            for offset in [(n - numbers.start) * STEP]
        ]
        with engine.begin() as connection:
            connection.execute(insert(table), rows)
    _settle_database(engine)


def _settle_database(engine: Engine) -> None:
    """Statistics for the planner; on SQLite also fold the bulk load's WAL into the file."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":  # a 1 GB WAL left by the fill slows every later read
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert_waiting(engine: Engine, template: dict[str, Any], first: int, last: int) -> None:
    """Copies of a waiting case, numbered first..last-1, each due on a future day."""
    due = template["next_due_at"] + timedelta(days=1)
    _insert_copies(engine, template, range(first, last), due)


def _insert_failed(engine: Engine, template: dict[str, Any], first: int) -> None:
    """Cases parked in ERROR by the scheduler: mark_failed keeps their past next_due_at."""
    due = template["started_at"] - timedelta(days=30)
    numbers = range(first, first + sized(FAILED_CASES, FAILED_CASES // 10))
    _insert_copies(engine, template, numbers, due, status=InstanceStatus.ERROR.value)


def _table_bytes(engine: Engine) -> int | None:
    """Bytes process_instances takes on disk with its indexes (and TOAST on PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        query = "SELECT pg_total_relation_size('process_instances')"
    else:  # dbstat is compiled into CPython's usual SQLite builds
        query = (
            "SELECT SUM(pgsize) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = 'process_instances')"
        )
    with engine.connect() as connection:
        try:
            return connection.execute(text(query)).scalar()
        except Exception:  # an SQLite build without dbstat
            return None


def _make_due(sessions: sessionmaker[Session], ids: list[int], clock: VirtualClock) -> None:
    """Put the due cases' next timer an hour in the past again."""
    with sessions.begin() as session:
        session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id.in_(ids))
            .values(next_due_at=clock.now() - timedelta(hours=1))
        )


def _due_query(sessions: sessionmaker[Session], clock: VirtualClock) -> list[int]:
    """The scheduler's due query alone, in a session of its own."""
    with sessions() as session:
        return due_instance_ids(session, clock.now(), 50)


def _captured_sql(engine: Engine, call: Callable[[], Any]) -> tuple[str, Any]:
    """The last SQL statement and parameters a call sends."""
    captured: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return captured[-1]


def _plan(engine: Engine, sessions: sessionmaker[Session], clock: VirtualClock) -> list[str]:
    """The database's plan of the exact due query the scheduler sends."""
    statement, params = _captured_sql(engine, lambda: _due_query(sessions, clock))
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, params).all()
    return [str(row[-1]) for row in rows]  # SQLite's detail / PostgreSQL's plan line


def _tick_once(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    """One tick; it must advance exactly the due cases."""
    report = tick(sessions, runtime, batch_size=50)
    if len(report.advanced) != TICK_DUE or report.failed:
        raise RuntimeError(f"tick advanced {report.advanced}, failed {report.failed}")


def _measure_tick(
    engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    ids: list[int],
    tick_runs: int = TICK_RUNS,
) -> tuple[float, float]:
    """Median seconds of the due query alone and of a full tick advancing the due cases."""
    clock = runtime.clock
    assert isinstance(clock, VirtualClock)
    _make_due(sessions, ids, clock)
    if sorted(_due_query(sessions, clock)) != sorted(ids):
        raise RuntimeError("the due query does not find exactly the due cases")
    query = median_time(lambda: _due_query(sessions, clock), QUERY_RUNS)
    if not tick_runs:
        return query, 0.0
    full = median_time(
        lambda: _tick_once(sessions, runtime), tick_runs, lambda: _make_due(sessions, ids, clock)
    )
    _make_due(sessions, ids, clock)
    return query, full


def _tick_on(name: str, engine: Engine) -> None:
    """Both sizes on one database, with the plan of the due query at each."""
    sessions = new_sessions(engine)
    clock, runtime = make_runtime()
    deploy_example(sessions, runtime)
    ids = _start_due_cases(sessions, runtime, clock)
    template = _template_row(sessions, ids[0])
    state = len(template["state"].encode())
    print(f"  {name}: waiting rows copy a case waiting at screen (state {state:,} B)")
    clock.advance(STEP)
    results: dict[int, tuple[float, float]] = {}
    inserted = 0
    sizes = tick_sizes()
    for size in sizes:
        fill = timed(partial(_insert_waiting, engine, template, inserted, size))
        inserted = size
        results[size] = _measure_tick(engine, sessions, runtime, ids)
        query, full = results[size]
        show(f"{name}: {size:,} waiting + {TICK_DUE} due", "", f"rows inserted in {fill:.1f} s")
        show("  due query alone", ms(query))
        show("  full tick", ms(full), f"{ms(full / TICK_DUE)} per advanced case")
        for line in _plan(engine, sessions, clock):
            print(f"      plan: {line}")
    on_disk = _table_bytes(engine)
    if on_disk:
        per_case = f"{on_disk / (inserted + TICK_DUE):,.0f} B per case, indexes included"
        show("  process_instances on disk", f"{on_disk / 2**20:,.1f} MiB", per_case)
    small, large = results[sizes[0]], results[sizes[-1]]
    ratio = f"{sizes[-1]:,} vs {sizes[0]:,} waiting"
    show(f"{name}: ratio {ratio}", "")
    show("  due query alone", f"×{large[0] / small[0]:.2f}")
    show("  full tick", f"×{large[1] / small[1]:.2f}")
    REPORT.add("engine", f"{name} tick {ratio}", large[1] / small[1], "×", Goal(1.2))
    REPORT.add("engine", f"{name} due query {ratio}", large[0] / small[0], "×", Goal(1.2))
    _insert_failed(engine, template, inserted)
    query, _ = _measure_tick(engine, sessions, runtime, ids, tick_runs=0)
    failed = sized(FAILED_CASES, FAILED_CASES // 10)
    show(f"{name}: + {failed:,} ERROR cases keeping a past next_due_at", "")
    show("  due query alone", ms(query), f"×{query / large[0]:.1f} (they lead the index range)")
    for line in _plan(engine, sessions, clock):
        print(f"      plan: {line}")


def tick_sizes() -> tuple[int, int]:
    """The waiting cases of the tick benchmark: the issue's sizes, or a tenth in a quick run."""
    return TICK_SIZES[0], sized(TICK_SIZES[1], TICK_SIZES[1] // 10)


def bench_tick(folder: Path) -> None:
    """Scheduler tick cost with few vs many waiting cases (should not grow with waiting)."""
    sizes = " vs ".join(f"{size:,}" for size in tick_sizes())
    REPORT.setting("engine", tick_waiting=list(tick_sizes()), tick_due=TICK_DUE)
    print(f"== 2. Scheduler tick: {TICK_DUE} due among {sizes} waiting cases")
    print(f"      (medians of {TICK_RUNS} ticks and {QUERY_RUNS} due queries; batch_size=50)")
    for name, engine in databases(folder):
        if engine is not None:
            _tick_on(name, engine)
    print()


def main(which: tuple[str, ...] = ("throughput", "tick", "storage")) -> None:
    """Run the engine benchmarks and print their figures."""
    from benchmarks.bench_storage import bench_storage  # it builds on this module's cases

    benches = {"throughput": bench_throughput, "tick": bench_tick, "storage": bench_storage}
    with tempfile.TemporaryDirectory(prefix="reglament-bench-") as folder:
        for name in which:
            benches[name](Path(folder) / name)
