"""One simulation run: the real engine, a virtual clock, a stream and a staffing model."""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from engine.clock import VirtualClock
from engine.db import Base, make_session_factory
from engine.forms import FormError, VersionForms
from engine.inbox.capture import SILENT
from engine.instances import InstanceNotRunning, RegulationFailed, StaleTaskError, complete_task
from engine.intake import DuplicateMessage, InvalidMessage, receive_message
from engine.models import OpenUserTask, ProcessInstance
from engine.municipalities import load_municipality
from engine.reports import Filters, Report, build_report
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.simulation.fill import form_data
from engine.simulation.model import Staff
from engine.simulation.pools import PoolKey, Waiting, WorkerPool, finish_moment
from engine.simulation.stream import Arrival
from engine.statuses import InstanceStatus
from engine.tasks import TaskClaimedError, TaskNotOpenError, claim_task
from engine.versions import deploy_file, load_version
from engine.worktime import load_calendar

ACTOR = "simulation"
OBSCENE = {"screen_decision": "not_processed", "not_processed_reason": "obscenity"}
Progress = Callable[[float], None]
FINISHED = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)
# The memory figures (workflows held, the database's size) every this many events, and at the end.
MEMORY_SAMPLE_EVERY = 20
SUBMIT_ATTEMPTS = 5  # a refused form is filled again with fresh decisions, then left open

# The simulator's own statements run on a bare connection: no ORM session, no flush, no
# listeners (the engine's calls keep their sessions).
# A case whose workflow is still stored. Written as a literal, not a bound value, so that SQLite
# answers it from the partial index below instead of reading every stored state.
HELD = ProcessInstance.state != literal_column("''")
NEXT_DUE = select(func.min(ProcessInstance.next_due_at)).where(
    ProcessInstance.status == InstanceStatus.RUNNING
)
OPENED = (
    select(
        OpenUserTask.task_id,
        OpenUserTask.instance_id,
        OpenUserTask.element_id,
        OpenUserTask.form_key,
        OpenUserTask.role,
        OpenUserTask.department,
        OpenUserTask.created_at,
    )
    .where(OpenUserTask.created_at >= bindparam("watermark"))
    .order_by(OpenUserTask.created_at)
)
# Finished cases whose workflow is still stored: emptied, their ids returned.
RELEASE = (
    update(ProcessInstance)
    .where(ProcessInstance.status.in_(FINISHED), HELD)
    .values(state="")
    .returning(ProcessInstance.id)
)
# The run's database only: indexes for the simulator's own looks, which the engine never makes.
# Without them each look scans every open task, and each memory sample every stored state; a
# month's run then spends a tenth of its time on its own bookkeeping.
# (Plain DDL: an Index object would join the tables' metadata, and every database's schema.)
LOOK_INDEXES = (
    text("CREATE INDEX sim_open_user_tasks_created ON open_user_tasks (created_at)"),
    text("CREATE INDEX sim_process_instances_held ON process_instances (status) WHERE state != ''"),
)


@dataclass
class RunResult:
    """What one run did: the report over its cases, utilisation, arrivals per hour, refusals."""

    label: str
    report: Report
    pools: dict[PoolKey, WorkerPool]
    available_minutes: float
    arrivals_by_hour: Counter[int]
    messages: int
    refused: list[str] = field(default_factory=list)
    failed: int = 0
    memory: Memory = field(default_factory=lambda: Memory())


@dataclass
class Memory:
    """What the run held: workflows stored at most and at the end, finished ones still held."""

    workflows_peak: int = 0
    workflows_at_end: int = 0
    running_at_end: int = 0
    finished_holding: int = 0  # finished cases whose workflow is still stored: 0 when bounded
    released: int = 0
    database_peak_bytes: int = 0


class Simulation:
    """The event loop: arrivals and completions in time order, timers fired between them."""

    def __init__(
        self,
        bpmn: Path,
        processes_dir: Path,
        staff: Staff,
        start: datetime,
        days: int,
        seed: int,
    ) -> None:
        self.municipality, self.label = bpmn.parent.parent.name, bpmn.parent.name
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        Base.metadata.create_all(engine)
        with engine.begin() as connection:
            for index in LOOK_INDEXES:
                connection.execute(index)
        self.engine = engine
        # Nobody has an account in this database: the inbox has no one to tell (SILENT).
        self.sessions: sessionmaker[Session] = make_session_factory(engine, info={SILENT: True})
        self.finishing: set[int] = set()  # cases saved as finished, their state not yet released
        # A flush wrote a task opened now since the last look: only then may OPENED find one.
        self.opened = True
        event.listen(self.sessions, "after_flush", self._note_flush)
        self.clock = VirtualClock(start)
        self.runtime = Runtime(clock=self.clock, processes_dir=processes_dir)
        self.calendar = load_calendar(self.municipality, processes_dir)
        self.staff, self.start, self.end = staff, start, start + timedelta(days=days)
        self.rng = random.Random(f"staff:{seed}")
        self.events: list[tuple[datetime, int, str, Any]] = []
        self.sequence = itertools.count()
        self.pools: dict[PoolKey, WorkerPool] = {}
        self.seen: dict[str, datetime] = {}  # task id → created_at, at or after the watermark
        self.watermark = start  # tasks open at or after it may be new; older ones are seen
        self.obscene: set[int] = set()
        self.refused: list[str] = []
        self.releases = 0
        self.failed = 0
        self.memory = Memory()
        with self.sessions.begin() as session:
            version = deploy_file(session, self.runtime, bpmn, ACTOR).version
            # The run's database holds this one version: every case (and duty) uses its forms.
            self.forms = load_version(version, self.runtime).forms
            # Without a declared duty the scheduler's duty round never starts anything.
            self.duties = bool((version.catalog or {}).get("duties"))

    def push(self, at: datetime, kind: str, item: Any) -> None:
        heapq.heappush(self.events, (at, next(self.sequence), kind, item))

    def run(self, arrivals: list[Arrival], progress: Progress | None = None) -> RunResult:
        """Play the stream to the end of the horizon and read the outcome."""
        for arrival in arrivals:
            if self.start <= arrival.at < self.end:
                self.push(arrival.at, "arrival", arrival)
        horizon = (self.end - self.start).total_seconds()
        while self.events and self.events[0][0] < self.end:
            at, _, kind, item = heapq.heappop(self.events)
            self.move_to(at)
            if kind == "arrival":
                self.arrive(item)
            else:
                self.complete(item)
            self.collect_and_dispatch()
            self.release_finished()
            if progress is not None:
                progress((at - self.start).total_seconds() / horizon)
        self.move_to(self.end)
        self.release_finished(final=True)
        try:
            return self.result(arrivals)
        finally:
            self.engine.dispose()  # the in-memory database goes with the run

    def move_to(self, moment: datetime) -> None:
        """Fire every timer due before `moment` at its own time, then stand at `moment`."""
        while True:
            due = self._next_due()
            step = due + timedelta(seconds=1) if due is not None else None
            if step is None or step >= moment or step <= self.clock.now():
                break
            self.clock.set(step)
            self.drain()
            self.collect_and_dispatch()
        if moment > self.clock.now():
            self.clock.set(moment)
        # The scheduler claims a case only when its timer is before now: with none such (and no
        # duty to look at) the tick would find nothing, so the clock just moves.
        if self.duties or (due is not None and due < self.clock.now()):
            self.drain()

    def _next_due(self) -> datetime | None:
        """The earliest timer of a running case (what the scheduler would claim first)."""
        with self.engine.connect() as connection:
            return connection.scalar(NEXT_DUE)

    def drain(self) -> None:
        """Tick until no case is due now."""
        while True:
            report = tick(self.sessions, self.runtime, duties=self.duties)
            self.failed += len(report.failed)
            if not report.advanced:
                return
            # A tick that ran dry with nothing held back (a case still due, one backing off)
            # leaves nothing for another tick to claim; duties may start more, so they go on.
            if report.drained and not (report.still_due or report.retrying or self.duties):
                return

    def arrive(self, arrival: Arrival) -> None:
        incoming = {
            **arrival.incoming,
            "municipality": self.municipality,
            "received_at": arrival.at.isoformat(),
        }
        try:
            with self.sessions.begin() as session:
                intake = receive_message(session, self.runtime, incoming, ACTOR)
                if arrival.obscene and not intake.repeat:
                    self.obscene.add(intake.result.instance.id)
        except (InvalidMessage, DuplicateMessage, RegulationFailed) as error:
            self.refused.append(f"{incoming.get('external_id')}: {error}")

    def _claim(self, task: Waiting, person: str) -> bool:
        """The worker takes the task (the report names them); False if it is gone already."""
        try:
            with self.sessions.begin() as session:
                claim_task(session, self.runtime, task.task_id, person)
        except (TaskNotOpenError, TaskClaimedError):
            return False
        return True

    def complete(self, item: tuple[Waiting, PoolKey, str]) -> None:
        task, key, person = item
        pool = self.pools[key]
        pool.done += 1
        forms = self.forms
        overrides = OBSCENE if task.instance_id in self.obscene and _fits(forms, task) else {}
        refusal: FormError | None = None
        for _attempt in range(SUBMIT_ATTEMPTS):
            data = form_data(
                forms, task.form_key, self.clock.now(), self.rng, self.staff, overrides
            )
            try:
                with self.sessions.begin() as session:
                    complete_task(session, self.runtime, task.task_id, data, person)
                return
            except FormError as error:
                # A choice the case no longer allows (Perm 3.6: an intermediate answer whose
                # promised date would pass the extended term): the person decides again.
                refusal = error
            except (StaleTaskError, InstanceNotRunning):
                return  # a timer or an interrupting event closed the task first
            except RegulationFailed:
                self.failed += 1
                return
        self.refused.append(f"{task.element_id} ({task.task_id}): {refusal}")

    def collect_and_dispatch(self) -> None:
        """Queue the tasks opened since the last look in their pools; free people take them."""
        if self.opened:
            self.opened = False
            self._collect()
        now = self.clock.now()
        for key in sorted(self.pools, key=str):
            pool = self.pools[key]
            while pool.queue:
                worker = pool.take(now)
                if worker is None:
                    break
                task = pool.queue.popleft()
                minutes = self.staff.duration(task.element_id).sample(self.rng)
                begin = now
                if self.staff.working_hours and not self.calendar.is_working_moment(now):
                    begin = self.calendar.next_working_moment(now)
                done = finish_moment(self.calendar, begin, minutes, self.staff.working_hours)
                pool.free_at[worker] = done
                pool.busy_minutes += self._busy(begin, done)
                person = _person(key, worker)
                if self._claim(task, person):
                    self.push(done, "done", (task, key, person))

    def _collect(self) -> None:
        """Queue the tasks opened since the last look in the pools of their role and department."""
        with self.engine.connect() as connection:
            rows = connection.execute(OPENED, {"watermark": self.watermark}).all()
        for row in rows:
            if row.task_id in self.seen:
                continue
            self.seen[row.task_id] = row.created_at
            self.watermark = max(self.watermark, row.created_at)
            # A role's pool is per department only where the model counts it so.
            department = row.department if row.role in self.staff.departments else None
            key = (row.role, department)
            pool = self.pools.get(key) or self._pool(key)
            pool.queue.append(Waiting(row.task_id, row.instance_id, row.element_id, row.form_key))
        # The query never returns tasks created before the watermark: forget them.
        self.seen = {task: at for task, at in self.seen.items() if at >= self.watermark}

    def release_finished(self, final: bool = False) -> None:
        """Finished cases leave memory: their workflow state goes, the report's rows stay."""
        self.releases += 1
        sample = final or self.releases % MEMORY_SAMPLE_EVERY == 0
        if not (self.finishing or sample):
            return
        # The cases the engine saved as finished since the last look, by key; before a memory
        # sample every finished case (a safety net: the engine finishes cases only by saving
        # them, which `_note_flush` sees).
        query = RELEASE if sample else RELEASE.where(ProcessInstance.id.in_(self.finishing))
        with self.engine.begin() as connection:
            ids = list(connection.scalars(query))
        self.finishing.clear()
        self.obscene.difference_update(ids)
        self.memory.released += len(ids)
        if sample:
            self._sample_memory()

    def _note_flush(self, session: Session, _context: Any) -> None:
        """Remember what a flush of the engine wrote: cases finished, tasks opened now.

        A finished case is released after the event; an open-task row whose `created_at`
        changed (a new row, or one rewritten for a new task) makes the next look query OPENED.
        """
        for row in (*session.new, *session.dirty):
            if isinstance(row, ProcessInstance) and row.status in FINISHED:
                self.finishing.add(row.id)
            elif isinstance(row, OpenUserTask) and not self.opened:
                self.opened = inspect(row).attrs.created_at.history.has_changes()

    def _sample_memory(self) -> None:
        """The workflows held and the database's size now (reading every state is not free)."""
        with self.sessions() as session:
            held = session.scalar(select(func.count()).where(HELD))
            pages = session.scalar(text("PRAGMA page_count")) or 0
            size = session.scalar(text("PRAGMA page_size")) or 0
        memory = self.memory
        memory.workflows_peak = max(memory.workflows_peak, held or 0)
        memory.database_peak_bytes = max(memory.database_peak_bytes, pages * size)

    def _held(self) -> None:
        """The workflows stored at the end of the run, counted in the database itself."""
        with self.sessions() as session:
            stored = HELD
            self.memory.workflows_at_end = session.scalar(select(func.count()).where(stored)) or 0
            running = ProcessInstance.status == InstanceStatus.RUNNING
            self.memory.running_at_end = session.scalar(select(func.count()).where(running)) or 0
            self.memory.finished_holding = (
                session.scalar(
                    select(func.count()).where(stored, ProcessInstance.status.in_(FINISHED))
                )
                or 0
            )

    def _busy(self, begin: datetime, done: datetime) -> float:
        """Minutes of the worker's time the task takes inside the horizon."""
        until = min(done, self.end)
        if until <= begin:
            return 0.0
        if self.staff.working_hours:
            return self.calendar.working_time_between(begin, until).total_seconds() / 60
        return (until - begin).total_seconds() / 60

    def _pool(self, key: PoolKey) -> WorkerPool:
        people = self.staff.people(*key)
        pool = WorkerPool(people, [self.start] * people)
        self.pools[key] = pool
        return pool

    def result(self, arrivals: list[Arrival]) -> RunResult:
        self._held()
        zone = ZoneInfo(self._zone())
        last_day = (self.end - timedelta(seconds=1)).astimezone(zone).date()
        filters = Filters(self.municipality, self.start.astimezone(zone).date(), last_day)
        with self.sessions() as session:
            report = build_report(session, self.runtime, filters)
        if self.staff.working_hours:
            available = self.calendar.working_time_between(self.start, self.end)
        else:
            available = self.end - self.start
        by_hour = Counter(
            a.at.astimezone(zone).hour for a in arrivals if self.start <= a.at < self.end
        )
        return RunResult(
            self.label,
            report,
            self.pools,
            available.total_seconds() / 60,
            by_hour,
            sum(by_hour.values()),
            self.refused,
            self.failed,
            self.memory,
        )

    def _zone(self) -> str:
        return load_municipality(self.municipality, self.runtime.processes_dir).timezone


def _person(key: PoolKey, worker: int) -> str:
    """A simulated worker's login: role, department, number."""
    role, department = key
    return "-".join(part for part in (role or "staff", department, str(worker + 1)) if part)


def _fits(forms: VersionForms, task: Waiting) -> bool:
    """Whether the task's form can say «not processed: obscenity» (the screening)."""
    if task.form_key not in forms:
        return False
    values = [value for value, _ in forms.choices(task.form_key, "screen_decision")]
    return "not_processed" in values
