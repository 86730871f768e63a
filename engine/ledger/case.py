"""One case's deadlines while it advances: arm, pause, resume, breach and end each occurrence."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import audit
from engine.duties.declared import span_applies
from engine.ledger.breach import Breach, withdraw
from engine.ledger.occurrences import (
    SpanStart,
    new_entry,
    scope_of,
    span_trigger,
    step_occurrence,
)
from engine.ledger.pauses import pause, resume
from engine.models import CaseDeadline, Notice, ProcessInstance, Violation
from engine.regulation.table import DeadlineRule
from engine.statuses import AuditKind, DeadlineState
from engine.timers import all_tasks, is_deadline, is_timer, timer_due
from engine.violations import TIMER_ACTOR

if TYPE_CHECKING:
    from engine.versions import LoadedVersion

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


_ENTRIES = (
    select(CaseDeadline)
    .where(CaseDeadline.instance_id == bindparam("instance_id"))
    .order_by(CaseDeadline.id)
)


class CaseLedger:
    """The deadline occurrences of one case, loaded for one advance under its row lock."""

    def __init__(
        self,
        session: Session,
        instance: ProcessInstance,
        loaded: LoadedVersion,
        now: datetime,
        *,
        started: bool = False,
        entries: list[CaseDeadline] | None = None,
    ) -> None:
        self.session = session
        self.instance = instance
        self.loaded = loaded
        self.table = loaded.table
        self.reader = loaded.reader
        self.now = now
        # A case started in this advance has no rows yet; `entries` are its rows as the live
        # cache holds them (engine/live.py): nothing to read either way.
        if started:
            entries = []
        elif entries is None:
            entries = list(session.scalars(_ENTRIES, {"instance_id": instance.id}))
        self.entries: list[CaseDeadline] = entries
        self.violations: list[Violation] = []
        self.notices: list[Notice] = []
        self.fired_timers: list[str] = []
        self._started = started
        self.new_case = started  # started in this advance: no rows of it exist before it
        self._seen: set[Any] = set()
        self._completions: dict[str, datetime] = {}

    # --- what diagram functions read ---------------------------------------------------------

    def latest(self, name: str) -> CaseDeadline | None:
        """The newest occurrence of a named deadline in this case."""
        found = [entry for entry in self.entries if entry.name == name]
        return found[-1] if found else None

    def completed_at(self, element_id: str) -> datetime | None:
        """When an element last completed during this advance."""
        return self._completions.get(element_id)

    def open_entries(self) -> list[CaseDeadline]:
        """Occurrences still counting (armed or paused)."""
        return [entry for entry in self.entries if entry.state.is_open]

    def paused_remaining(self) -> dict[str, float]:
        """User task id → working seconds left, for steps whose own deadline is paused."""
        return {
            entry.task_id: entry.remaining_seconds or 0.0
            for entry in self.entries
            if entry.state is DeadlineState.PAUSED and entry.task_id and not entry.span
        }

    def earliest_span_due(self) -> datetime | None:
        """The earliest due of a span still outstanding: it binds whatever step is open.

        A breached span stays outstanding until its end step completes, so the step shows as
        overdue rather than without a deadline.
        """
        dues = [
            entry.due_at
            for entry in self.entries
            if entry.span
            and (
                entry.state is DeadlineState.ARMED
                or (entry.state is DeadlineState.BREACHED and entry.ended_at is None)
            )
        ]
        return min(dues, default=None)

    def next_moment(self) -> datetime | None:
        """The earliest moment the ledger itself must act: a span's due, or a reminder."""
        moments = [
            entry.due_at
            for entry in self.entries
            if entry.state is DeadlineState.ARMED and entry.timer_task_id is None
        ]
        moments += [
            entry.remind_at
            for entry in self.entries
            if entry.state is DeadlineState.ARMED and entry.remind_at and not entry.reminded_at
        ]
        return min(moments, default=None)

    # --- observing the workflow --------------------------------------------------------------

    def begin(self, workflow: BpmnWorkflow) -> None:
        """Remember what had already completed before this advance."""
        self._seen = {task.id for task in all_tasks(workflow, TaskState.COMPLETED)}

    def observe(self, workflow: BpmnWorkflow, moment: datetime) -> None:
        """Bring the ledger in step with the workflow as it stands at `moment`."""
        completed = [
            task for task in all_tasks(workflow, TaskState.COMPLETED) if task.id not in self._seen
        ]
        self._seen.update(task.id for task in completed)
        for task in completed:
            if task.task_spec.bpmn_id:
                self._completions[task.task_spec.bpmn_id] = moment
            if is_timer(task):
                self._audit_fired(task, moment)
        self._observe_timers(workflow, {task.id for task in completed}, moment)
        self._observe_spans(workflow, completed, moment)
        self._observe_pauses(workflow, moment)
        self._fire_due(workflow, moment)
        if workflow.is_completed():
            for entry in self.open_entries():
                self._end(entry, DeadlineState.CANCELLED, moment)

    def _observe_timers(
        self, workflow: BpmnWorkflow, just_fired: set[Any], moment: datetime
    ) -> None:
        by_timer = {entry.timer_task_id: entry for entry in self.entries if entry.timer_task_id}
        catalog = self.loaded.catalog
        done = {str(task.id) for task in all_tasks(workflow, TaskState.COMPLETED)}
        live: set[str] = set()
        for task in all_tasks(workflow):
            if not is_timer(task) or not is_deadline(catalog, task.task_spec.bpmn_id):
                continue
            key = str(task.id)
            live.add(key)
            entry = by_timer.get(key)
            if entry is None:
                # A step that opened after its deadline had passed fires its timer in the same
                # advance: it is armed and breached at once.
                fresh = task.state == TaskState.WAITING or task.id in just_fired
                if not fresh or timer_due(task) is None:
                    continue
                entry = self._arm_step(task, moment)
                if entry is None:
                    continue
            if entry.state.is_open and task.state == TaskState.COMPLETED:
                self._breach(entry, workflow, moment)
            if task.state == TaskState.CANCELLED or entry.task_id in done:
                self._end_step(entry, entry.task_id in done, moment)
        for key, entry in by_timer.items():
            if key not in live:  # its branch was removed from the tree
                self._end_step(entry, entry.task_id in done, moment)

    def _arm_step(self, timer: Task, moment: datetime) -> CaseDeadline | None:
        occurrence = step_occurrence(self, timer, moment)
        if occurrence.rule is not None and not occurrence.rule.is_duty:
            return None  # a wait on someone outside: no duty, no ledger row
        entry = new_entry(self, occurrence, moment)
        self._add(entry)
        self._supersede(entry, timer, moment)
        return entry

    def _supersede(self, entry: CaseDeadline, timer: Task, moment: datetime) -> None:
        """Withdraw the breaches of earlier terms this one replaces, in the same (sub)process."""
        for rule in self.table.rules.values():
            if entry.name not in rule.superseded_by:
                continue
            for earlier in self.entries:
                if (
                    earlier.name == rule.name
                    and earlier.state is DeadlineState.BREACHED
                    and _ran_in(earlier, timer)
                ):
                    withdraw(self, earlier, entry, moment)

    def _observe_spans(
        self, workflow: BpmnWorkflow, completed: list[Task], moment: datetime
    ) -> None:
        started, self._started = self._started, False
        for rule in self.table.spans():
            if not span_applies(self.loaded.catalog, self.instance.process_id, rule.until):
                continue  # a span of the message process never runs in a duty's case
            discharged = self._end_spans(rule, completed, moment)
            trigger = span_trigger(self, rule, workflow, completed, moment, started)
            if trigger is None:
                continue
            current = self._latest_in(rule.name, trigger.scope_id)
            if current is not None and current.state.is_open:
                continue  # one occurrence at a time (per subprocess instance)
            if trigger.scope_id in discharged and trigger.ended_after(rule, completed):
                continue  # the round's end step discharged the occurrence just closed
            entry = self._arm_span(rule, trigger, moment)
            if trigger.ended_after(rule, completed):
                # Started and ended in the same round: the end step was seen before the start
                # was armed, so the duty is discharged here (late if its due had passed).
                if entry.due_at < moment:
                    self._breach(entry, workflow, moment)
                self._discharge(entry, moment)

    def _arm_span(self, rule: DeadlineRule, start: SpanStart, moment: datetime) -> CaseDeadline:
        entry = new_entry(self, start.occurrence(rule, self), moment)
        self._add(entry)
        return entry

    def _end_spans(
        self, rule: DeadlineRule, completed: list[Task], moment: datetime
    ) -> list[str | None]:
        """End the occurrences whose end step completed; the scopes they were in."""
        ends = [task for task in completed if task.task_spec.bpmn_id in rule.until]
        discharged = []
        for outstanding in self._outstanding(rule.name):
            if any(outstanding.scope_id in (None, scope_of(task)) for task in ends):
                self._discharge(outstanding, moment)
                discharged.append(outstanding.scope_id)
            elif outstanding.state.is_open:
                self._shorten(outstanding, rule, completed)
        return discharged

    def _outstanding(self, name: str) -> list[CaseDeadline]:
        """A span's occurrences still to be ended: counting, or breached and not yet done."""
        return [
            entry
            for entry in self.entries
            if entry.name == name
            and (
                entry.state.is_open
                or (entry.state is DeadlineState.BREACHED and not entry.ended_at)
            )
        ]

    def _latest_in(self, name: str, scope_id: str | None) -> CaseDeadline | None:
        """The newest occurrence of a span in a subprocess instance (or the case's)."""
        found = [e for e in self.entries if e.name == name and e.scope_id == scope_id]
        return found[-1] if found else None

    def _discharge(self, entry: CaseDeadline, moment: datetime) -> None:
        """A span's end step completed: met if still counting, else only its end is dated."""
        if entry.state.is_open:
            self._end(entry, DeadlineState.MET, moment)
        elif entry.ended_at is None:
            entry.ended_at = moment

    def _shorten(self, entry: CaseDeadline, rule: DeadlineRule, completed: list[Task]) -> None:
        # Palana п. 10: the curator may shorten the term after it started; never lengthen it.
        if not rule.shortened_by:
            return
        for task in completed:
            text = task.data.get(rule.shortened_by)
            if isinstance(text, str) and text.strip():
                entry.due_at = min(entry.due_at, self.reader.due(entry.start_at, text))

    def _observe_pauses(self, workflow: BpmnWorkflow, moment: datetime) -> None:
        active = {
            task.task_spec.bpmn_id
            for task in all_tasks(workflow, _ACTIVE)
            if task.task_spec.bpmn_id
        }
        for entry in self.open_entries():
            rule = self.table.rules.get(entry.name)
            if rule is None or rule.pause is None:
                continue
            waiting = bool(active & set(rule.pause.while_))
            if waiting and entry.state is DeadlineState.ARMED:
                pause(self, workflow, entry, moment)
            elif not waiting and entry.state is DeadlineState.PAUSED:
                resume(self, workflow, entry, rule, moment)

    def _fire_due(self, workflow: BpmnWorkflow, moment: datetime) -> None:
        for entry in list(self.entries):
            if entry.state is not DeadlineState.ARMED:
                continue
            if entry.remind_at and not entry.reminded_at and entry.remind_at < moment:
                Breach(self, entry, workflow).remind()
            if entry.timer_task_id is None and entry.due_at < moment:
                self._breach(entry, workflow, moment)

    # --- transitions -------------------------------------------------------------------------

    def _audit_fired(self, timer: Task, moment: datetime) -> None:
        # A timer replayed late (no worker ran at its due moment) is dated by that moment and
        # says when it was recorded; one that fell due during this advance fires now.
        due = timer_due(timer)
        at = due if due is not None and moment < self.now and due < moment else self.now
        late: dict[str, Any] = {"recorded_at": self.now.isoformat()} if at != self.now else {}
        self.fired_timers.append(str(timer.id))
        audit.record(
            self.session,
            AuditKind.TIMER_FIRED,
            at,
            TIMER_ACTOR,
            instance_id=self.instance.id,
            task_id=str(timer.id),
            element_id=timer.task_spec.bpmn_id,
            due=due.isoformat() if due else None,
            **late,
        )

    def _add(self, entry: CaseDeadline) -> None:
        # The ledger row is the record of arming and ending (armed_at, ended_at, state); only
        # pauses, breaches and notices also go to the audit log.
        self.session.add(entry)
        self.entries.append(entry)

    def _breach(self, entry: CaseDeadline, workflow: BpmnWorkflow, moment: datetime) -> None:
        Breach(self, entry, workflow).record()

    def _end_step(self, entry: CaseDeadline, done: bool, moment: datetime) -> None:
        """The step's task completed (met, or ended late) or went away (cancelled)."""
        if entry.state.is_open:
            self._end(entry, DeadlineState.MET if done else DeadlineState.CANCELLED, moment)
        elif entry.state is DeadlineState.BREACHED and entry.ended_at is None and done:
            entry.ended_at = moment

    def _end(self, entry: CaseDeadline, state: DeadlineState, moment: datetime) -> None:
        entry.state = entry.state.guard(state)
        entry.ended_at = moment


def _ran_in(earlier: CaseDeadline, timer: Task) -> bool:
    """Whether a step's row ran in the timer's (sub)process instance.

    Its task, while still in that instance's tree; else (its pass pruned, engine/bpmn/pruning.py)
    the instance its row recorded.
    """
    if earlier.task_id is None:
        return False
    if UUID(earlier.task_id) in timer.workflow.tasks:
        return True
    return earlier.scope_id == scope_of(timer)
