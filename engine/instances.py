"""Process instances: the one entry point that advances them, and what calls it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.answer_limits import check_case_limits
from engine.bpmn.pruning import prune_workflow
from engine.bpmn.serialization import dump_state, load_state
from engine.catch_up import catch_up
from engine.clock import current_time, using_clock
from engine.inbox.roster import REVISION as STAFF_REVISION
from engine.inbox.roster import note_revision
from engine.ledger.case import CaseLedger
from engine.ledger.context import using_ledger
from engine.limits import Budget, StepFailed, named_step_failures, step_budget, step_failure
from engine.live import loaded_version_by_id, publish_after_commit, take_live
from engine.models import AuditEvent, Message, OpenUserTask, ProcessInstance, ProcessVersion
from engine.projection import (
    STEP_AUTHORS,
    ReadyTask,
    keep_step_authors,
    open_rows,
    ready_user_tasks,
    record_step_author,
    sync_projection,
    with_paused_deadlines,
    with_span_deadlines,
)
from engine.publishing.outbox import enqueue, plan_publication
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.timers import all_tasks, next_due, timer_due, waiting_timers
from engine.versions import LoadedVersion, load_version

WorkflowAction = Callable[[BpmnWorkflow], None]
MAX_SETTLE_ROUNDS = 20
# The state of a case row inserted before its first advance saves it; never committed (the
# insert and that advance share one transaction), and it fails loudly if it were ever loaded.
UNSAVED_STATE = "{}"


class StaleTaskError(Exception):
    """A task completed twice, or by two users at once: the later one changes nothing."""


class InstanceNotRunning(Exception):
    """An action on a case that has finished."""


# The regulation itself failed on a step (engine/limits.py): the caller parks the case.
RegulationFailed = StepFailed


@dataclass
class AdvanceResult:
    """What one advance changed."""

    instance: ProcessInstance
    new_tasks: list[ReadyTask] = field(default_factory=list)
    removed_task_ids: list[str] = field(default_factory=list)
    fired_timers: list[str] = field(default_factory=list)
    completed: bool = False
    violations: list[int] = field(default_factory=list)
    notices: list[int] = field(default_factory=list)


def new_instance(
    session: Session,
    version_id: int,
    municipality: str,
    key: str,
    now: datetime,
    *,
    linked_to_id: int | None = None,
) -> ProcessInstance:
    """Insert the row of a case about to start on a version (its id is what the start needs).

    `linked_to_id` is the earlier case this one continues.
    """
    instance = ProcessInstance(
        linked_to_id=linked_to_id,
        version_id=version_id,
        municipality=municipality,
        status=InstanceStatus.RUNNING,
        correlation_key=key,
        state=UNSAVED_STATE,  # the first advance saves the real one
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    session.flush()
    return instance


def start_instance(
    session: Session,
    runtime: Runtime,
    message: Message,
    instance: ProcessInstance,
    actor: str,
    *,
    extra_data: dict[str, Any] | None = None,
) -> AdvanceResult:
    """Start the case of a new message in its `new_instance` row and run it to its first wait.

    `extra_data` joins the message's data (a linked case's facts, engine/linked.py).
    """
    # Versions never change: the cached runtime form of the row's version, read once per database.
    loaded = loaded_version_by_id(session, runtime, instance.version_id)
    now = runtime.clock.now()
    data = {**initial_data(message), **(extra_data or {})}
    with using_clock(runtime.clock):
        workflow = BpmnWorkflow(
            loaded.spec, loaded.subprocess_specs, script_engine=loaded.script_engine
        )
        workflow.data.update(data)
        workflow.task_tree.data.update(data)
        keep_step_authors(workflow)
    audit.record(
        session,
        AuditKind.INSTANCE_STARTED,
        now,
        actor,
        instance_id=instance.id,
        version_id=instance.version_id,
        message_id=message.id,
    )
    # A row inserted by this transaction is locked by it already and cannot be in any cache:
    # the case runs on the workflow built above, without a dump, a lock and a reload.
    ledger = CaseLedger(session, instance, loaded, now, started=True)
    return _run(session, runtime, OpenCase(instance, loaded, workflow, ledger), actor, None)


def initial_data(message: Message) -> dict[str, Any]:
    """The message as the diagram sees it: gateways and timers read these names."""
    return {
        # The source's payload first: the engine's own fields win over a key of the same name.
        "message": {
            **message.payload,
            "id": message.id,
            "source": message.source,
            "channel": message.channel,
            "official_page": message.official_page,
            "author": message.author,
            "text": message.text,
            "url": message.url,
        },
        "received_at": message.received_at.isoformat(),
        "channel": message.channel,
        "official_page": message.official_page,
        "source": message.source,
        "completed_at": {},
        "last_completed_at": message.received_at.isoformat(),
        # engine/linked.py: set for a case started by a repeat after its case closed
        "linked_case": None,
        "report_measures": False,
        "repeat_arrived_at_step": None,
    }


# SQLite has no FOR UPDATE: a no-op UPDATE takes the write lock, so two advances of one case
# queue instead of both reading the same state; RETURNING reads the row with it. The UPDATE is
# Core, its rows loaded as a query's (`from_statement`): the ORM's own UPDATE would first work
# out what to synchronise in the session, and costs twice the statement.
# Each lock reads the staff's revision with the row: the notices of the advance then know
# whether the roster this process keeps is current (engine/inbox/roster.py).
_INSTANCES = cast(Table, ProcessInstance.__table__)


def lock_by_write(where: ColumnElement[bool], *also: Any) -> Any:
    """SQLite's lock of the case row `where` picks, reading the row and the staff's revision.

    `also` are further labelled columns the statement returns after those two.
    """
    no_op = update(_INSTANCES).where(where).values(revision=_INSTANCES.c.revision)
    returning = no_op.returning(*_INSTANCES.c, STAFF_REVISION, *also)
    return select(ProcessInstance, STAFF_REVISION, *also).from_statement(returning)


_LOCK_BY_WRITE = lock_by_write(_INSTANCES.c.id == bindparam("instance_id"))
_LOCK_FOR_UPDATE = (
    select(ProcessInstance, STAFF_REVISION)
    .where(ProcessInstance.id == bindparam("instance_id"))
    .with_for_update(of=ProcessInstance)
)
# A completion finds its case by the task: one statement locks and reads the case of a task.
_CASE_OF_TASK = (
    select(OpenUserTask.instance_id)
    .where(OpenUserTask.task_id == bindparam("task_id"))
    .scalar_subquery()
)
_LOCK_TASK_CASE_BY_WRITE = lock_by_write(_INSTANCES.c.id == _CASE_OF_TASK)
_LOCK_TASK_CASE_FOR_UPDATE = (
    select(ProcessInstance, STAFF_REVISION)
    .where(ProcessInstance.id == _CASE_OF_TASK)
    .with_for_update(of=ProcessInstance)
)


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    """Lock a case's row for the rest of the transaction, then read it fresh."""
    postgres = session.get_bind().dialect.name == "postgresql"
    instance = locked_case(
        session, _LOCK_FOR_UPDATE if postgres else _LOCK_BY_WRITE, {"instance_id": instance_id}
    )
    if instance is None:
        raise LookupError(f"no process instance {instance_id}")
    return instance


def lock_case_of_task(session: Session, task_id: str) -> ProcessInstance | None:
    """Lock and read the case of an open task (None when no such task is open)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _LOCK_TASK_CASE_FOR_UPDATE if postgres else _LOCK_TASK_CASE_BY_WRITE
    return locked_case(session, statement, {"task_id": task_id})


def locked_case(session: Session, statement: Any, params: dict[str, Any]) -> ProcessInstance | None:
    """The case row a lock statement read fresh; the staff's revision it read is noted."""
    row = locked_row(session, statement, params)
    if row is None:
        return None
    instance: ProcessInstance = row[0]
    return instance


def locked_row(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """The whole row a lock statement returned (the case first), or None; the revision noted."""
    row = session.execute(statement, params, execution_options=_FRESH).one_or_none()
    if row is not None:
        note_revision(session, row.staff_revision)
    return row


_FRESH = {"populate_existing": True}


@dataclass
class OpenCase:
    """A locked, running case ready to advance: its row, version, workflow and ledger."""

    instance: ProcessInstance
    loaded: LoadedVersion
    workflow: BpmnWorkflow
    ledger: CaseLedger
    # Its open user-task rows once read under the lock (or taken from the live cache): the
    # projection diffs against them instead of reading them again; after the save, the rows.
    open_rows: dict[str, OpenUserTask] | None = None


def open_case(
    session: Session, runtime: Runtime, case: int | ProcessInstance, *, started: bool = False
) -> OpenCase:
    """Lock a running case and take its workflow (the live one, or loaded from its state).

    `case` is the case's id, or its row as the caller locked and read it in this transaction
    (the scheduler's claim does both): then nothing is locked or read again.
    """
    instance = lock_instance(session, case) if isinstance(case, int) else case
    if instance.status is not InstanceStatus.RUNNING:
        raise InstanceNotRunning(f"case {instance.id} is {instance.status.value}")
    loaded = loaded_version_by_id(session, runtime, instance.version_id)
    # The workflow, deadline rows and open-task rows this process committed last for exactly
    # this revision and state, if any (engine/live.py).
    live = take_live(session, instance, loaded)
    deadlines = live.deadlines if live is not None else None
    ledger = CaseLedger(
        session, instance, loaded, runtime.clock.now(), started=started, entries=deadlines
    )
    open_tasks = live.open_tasks if live is not None else None
    workflow = live.workflow if live is not None else None
    if workflow is None:
        with using_clock(runtime.clock), using_ledger(ledger):
            workflow = load_state(
                instance.state,
                loaded.spec_of(instance.process_id),
                loaded.subprocess_specs,
                loaded.script_engine,
            )
    return OpenCase(instance, loaded, workflow, ledger, open_tasks)


def advance(
    session: Session,
    runtime: Runtime,
    instance: int | ProcessInstance,
    actor: str,
    action: WorkflowAction | None = None,
    *,
    started: bool = False,
) -> AdvanceResult:
    """Lock, load, fire overdue timers, act, run engine steps; save state and its projection.

    `instance` is a case's id, or its row already locked in this transaction (`open_case`).
    """
    case = open_case(session, runtime, instance, started=started)
    return _run(session, runtime, case, actor, action)


def _run(
    session: Session,
    runtime: Runtime,
    case: OpenCase,
    actor: str,
    action: WorkflowAction | None,
) -> AdvanceResult:
    """Advance a locked case on its workflow."""
    now = runtime.clock.now()
    workflow, ledger = case.workflow, case.ledger
    with using_clock(runtime.clock), using_ledger(ledger):
        ledger.begin(workflow)
        # One budget for the whole advance (engine/limits.py): a runaway or failing step raises
        # StepFailed naming its element; the caller's transaction rolls back, the case stays.
        with step_budget(runtime.limits) as budget, named_step_failures():
            # Deadlines that passed while no worker ran fire first, at their own due moments, so
            # completing the step they guard can never cancel them unrecorded (hardening 1).
            catch_up(workflow, now, lambda wf: _settle(wf, budget), ledger)
            if action is not None:
                action(workflow)
            _settle(workflow, budget)
            ledger.observe(workflow, now)
    result = _save(session, runtime, case, actor)
    publish_after_commit(
        session, case.instance, workflow, ledger.entries, list((case.open_rows or {}).values())
    )
    return result


def read_workflow(session: Session, runtime: Runtime, instance_id: int) -> BpmnWorkflow:
    """A case's workflow for reading (no lock; changes to it are never saved)."""
    instance = session.get_one(ProcessInstance, instance_id)
    version = session.get_one(ProcessVersion, instance.version_id)
    loaded = load_version(version, runtime)
    return load_state(
        instance.state,
        loaded.spec_of(instance.process_id),
        loaded.subprocess_specs,
        loaded.script_engine,
    )


def _settle(workflow: BpmnWorkflow, budget: Budget) -> None:
    """Run until nothing more can happen now, within the advance's budget: timers, then steps."""
    for _ in range(MAX_SETTLE_ROUNDS):
        # At rest (a scheduled advance after its catch-up, a round that left nothing READY for
        # the engine) another round would change nothing: SpiffWorkflow is not asked.
        if _at_rest(workflow):
            return
        before = _progress_marker(workflow)
        workflow.refresh_timers()
        workflow.do_engine_steps(did_complete_task=budget.count_step)
        if _progress_marker(workflow) == before:
            return


def _at_rest(workflow: BpmnWorkflow) -> bool:
    """Whether SpiffWorkflow has nothing to do now: no engine task READY, no timer past due.

    Everything else that moves a case (a caught message, a completed step, a timer fired by
    do_engine_steps' closing refresh) leaves an engine task READY first; a timer fires only
    once its due moment is strictly past.
    """
    if _engine_task_ready(workflow):
        return False
    now = current_time()
    for timer in waiting_timers(workflow):
        due = timer_due(timer)
        if due is None or due < now:
            return False
    return True


def _engine_task_ready(workflow: BpmnWorkflow) -> bool:
    """Whether a READY task waits for the engine (not for a person)."""
    return any(not task.task_spec.manual for task in all_tasks(workflow, TaskState.READY))


def _progress_marker(workflow: BpmnWorkflow) -> tuple[int, int]:
    # A flat scan of the task dicts (subprocesses included), cheaper than walking the tree.
    finished = total = 0
    for task in all_tasks(workflow):
        total += 1
        finished += task.state & TaskState.FINISHED_MASK != 0
    return finished, total


def _save(session: Session, runtime: Runtime, case: OpenCase, actor: str) -> AdvanceResult:
    instance, workflow, ledger = case.instance, case.workflow, case.ledger
    now = runtime.clock.now()
    catalog = ledger.loaded.catalog
    ready = with_paused_deadlines(ready_user_tasks(workflow, catalog), ledger.paused_remaining())
    ready = with_span_deadlines(ready, ledger.earliest_span_due())
    # Nothing below reads what this advance wrote but the redo query, which sees the pending
    # rows itself: one flush at the end sends each table's rows together.
    with session.no_autoflush:
        new_tasks, removed, case.open_rows = sync_projection(
            session,
            instance,
            ready,
            now,
            workflow.data.get(STEP_AUTHORS),
            new_case=ledger.new_case,
            existing=case.open_rows,
        )
    for task in new_tasks:
        audit.record(
            session,
            AuditKind.TASK_READY,
            now,
            actor,
            instance_id=instance.id,
            task_id=task.task_id,
            element_id=task.element_id,
            lane=task.role,
            # Who held the step: reports (a step that ended in time), linked cases (the
            # earlier departments).
            department=task.department,
            due=task.due_at.isoformat() if task.due_at else None,
        )
    prune_workflow(workflow)  # earlier rework passes and unread data go (engine/bpmn/pruning.py)
    instance.state = dump_state(workflow)
    instance.next_due_at = _earliest(next_due(workflow), ledger.next_moment())
    instance.updated_at = now
    completed = workflow.is_completed()
    if completed:
        instance.status = instance.status.guard(InstanceStatus.COMPLETED)
        instance.completed_at = now
        instance.next_due_at = None
        audit.record(session, AuditKind.INSTANCE_COMPLETED, now, actor, instance_id=instance.id)
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleTaskError("the case was changed by someone else; reload it") from error
    return AdvanceResult(
        instance,
        new_tasks,
        removed,
        ledger.fired_timers,
        completed,
        [violation.id for violation in ledger.violations],
        [notice.id for notice in ledger.notices],
    )


def _earliest(*moments: datetime | None) -> datetime | None:
    return min((moment for moment in moments if moment is not None), default=None)


def complete_task(
    session: Session, runtime: Runtime, task_id: str, data: dict[str, Any], actor: str
) -> AdvanceResult:
    """Complete a READY user task with validated form data; a stale submit changes nothing."""
    # Locked before the form is checked: the check reads the very workflow that then advances;
    # the task is looked for among the case's rows as they stand under that lock.
    instance = lock_case_of_task(session, task_id)
    if instance is None:
        raise StaleTaskError(_already_done_message(session, task_id))
    case = open_case(session, runtime, instance)
    if case.open_rows is None:
        case.open_rows = open_rows(session, instance.id)
    row = case.open_rows.get(task_id)
    if row is None:
        raise StaleTaskError(_already_done_message(session, task_id))
    forms = case.loaded.forms
    validated = forms.validate(row.form_key, data)
    check_case_limits(case, forms, row, validated, runtime.clock)  # before anything moves
    # The publication step may send the answer through the channel: its outbox row is written
    # in this same transaction (engine/publishing), or the step is refused with the reason.
    planned = plan_publication(session, row.instance_id, row.form_key, validated)
    instance_id, element_id = row.instance_id, row.element_id

    def run(workflow: BpmnWorkflow) -> None:
        task = _ready_task(workflow, task_id)
        if task is None:
            raise StaleTaskError(_already_done_message(session, task_id))
        now = runtime.clock.now()
        task.data.update(validated)
        completed_at = dict(task.data.get("completed_at") or {})
        completed_at[task.task_spec.bpmn_id] = now.isoformat()
        task.data["completed_at"] = completed_at
        task.data["last_completed_at"] = now.isoformat()
        task.data["last_completed_by"] = actor
        record_step_author(workflow, task.task_spec.bpmn_id, row.department, actor)
        task.run()
        audit.record(
            session,
            AuditKind.TASK_COMPLETED,
            now,
            actor,
            instance_id=row.instance_id,
            task_id=task_id,
            element_id=task.task_spec.bpmn_id,
            form=row.form_key,
            department=row.department,  # whose draft it is, when each department drafts its own
            values=validated,
        )

    try:
        result = _run(session, runtime, case, actor, run)
    except WorkflowException as error:
        raise step_failure(error) from error
    if planned is not None:
        enqueue(
            session,
            planned,
            instance_id=instance_id,
            municipality=result.instance.municipality,
            now=runtime.clock.now(),
            actor=actor,
            task_id=task_id,
            element_id=element_id,
        )
    return result


def _ready_task(workflow: BpmnWorkflow, task_id: str) -> Any:
    wanted = UUID(task_id)
    for task in all_tasks(workflow, TaskState.READY):
        if task.id == wanted:
            return task
    return None


def _already_done_message(session: Session, task_id: str) -> str:
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.task_id == task_id, AuditEvent.kind == AuditKind.TASK_COMPLETED)
        .order_by(AuditEvent.id.desc())
    )
    if event is None:
        return f"task {task_id} is no longer open"
    return f"task {task_id} was already completed by {event.actor} at {event.at.isoformat()}"
