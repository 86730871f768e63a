"""What a new deadline occurrence is: its rule, its start, its due, the step or span it covers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task

from engine.deadlines import deadline_texts
from engine.ledger.context import BOUND
from engine.models import CaseDeadline
from engine.regulation.table import DeadlineRule
from engine.regulation.terms import TermError, due_from, minus, rule_spec
from engine.statuses import DeadlineState
from engine.timers import timer_due
from engine.worktime import DeadlineSpecError, parse_deadline

if TYPE_CHECKING:
    from engine.ledger.case import CaseLedger


@dataclass(frozen=True)
class Occurrence:
    """Everything a ledger row needs when a deadline is armed."""

    key: str
    name: str
    clause: str | None
    text: str
    span: bool
    element_id: str | None
    task_id: str | None
    timer_task_id: str | None
    timer_element_id: str | None
    start_at: datetime
    due_at: datetime
    working: bool
    rule: DeadlineRule | None
    scope_id: str | None = None


def scope_of(task: Task) -> str | None:
    """The subprocess instance a task runs in (its subprocess task's id), None at top level."""
    parent = getattr(task.workflow, "parent_task_id", None)
    return str(parent) if parent is not None else None


def new_entry(ledger: CaseLedger, found: Occurrence, moment: datetime) -> CaseDeadline:
    """A ledger row for a deadline armed at `moment`."""
    number = 1 + sum(1 for entry in ledger.entries if entry.name == found.name)
    return CaseDeadline(
        instance_id=ledger.instance.id,
        municipality=ledger.instance.municipality,
        key=found.key if found.timer_task_id else f"{found.key}#{number}",
        name=found.name,
        clause=found.clause,
        text=found.text,
        span=found.span,
        element_id=found.element_id,
        task_id=found.task_id,
        timer_task_id=found.timer_task_id,
        timer_element_id=found.timer_element_id,
        scope_id=found.scope_id,
        occurrence=number,
        state=DeadlineState.ARMED,
        armed_at=moment,
        start_at=found.start_at,
        due_at=found.due_at,
        working=found.working,
        remind_at=_remind_at(ledger, found),
        holders=[],
        outside_office_hours=False,
    )


def _remind_at(ledger: CaseLedger, found: Occurrence) -> datetime | None:
    if found.rule is None or found.rule.remind is None:
        return None
    spec = ledger.reader.read(found.rule.remind.before)
    return minus(ledger.reader, found.due_at, spec)


def step_occurrence(ledger: CaseLedger, timer: Task, moment: datetime) -> Occurrence:
    """A boundary timer on a step has started waiting: the step's deadline is armed."""
    due = timer_due(timer)
    assert due is not None  # the caller only arms timers whose expression was evaluated
    element = ledger.loaded.catalog["elements"].get(timer.task_spec.bpmn_id, {})
    attached = element.get("attached_to")
    activity = _activity(timer, attached)
    rule = _bound_rule(ledger, timer, due)
    if rule is not None:
        text, clause, name = rule.text, rule.clause, rule.name
        working = _working(ledger, rule)
    else:  # a timer with its text in the expression (a table of the old format)
        expression = (element.get("timer") or {}).get("expression") or ""
        texts = deadline_texts(expression) if "deadline(" in expression else []
        text = texts[-1] if texts else expression
        clause = "; ".join(element.get("clauses") or []) or _attached_clause(ledger, attached)
        name, working = timer.task_spec.bpmn_id, _legacy_working(ledger, text)
    return Occurrence(
        key=str(timer.id),
        name=name,
        clause=clause or None,
        text=text[:256],
        span=False,
        element_id=attached,
        task_id=str(activity.id) if activity is not None else None,
        timer_task_id=str(timer.id),
        timer_element_id=timer.task_spec.bpmn_id,
        start_at=min(moment, due),
        due_at=due,
        working=working,
        rule=rule,
        # Which (sub)process instance it ran in, kept after its pass is pruned from the tree.
        scope_id=scope_of(timer),
    )


def _activity(timer: Task, attached: str | None) -> Task | None:
    # Boundary events are siblings of their activity under SpiffWorkflow's BoundaryEventSplit.
    parent = timer.parent
    if parent is None:
        return None
    for sibling in parent.children:
        if sibling.task_spec.bpmn_id == attached:
            return sibling
    return None


def _bound_rule(ledger: CaseLedger, timer: Task, due: datetime) -> DeadlineRule | None:
    bound: dict[str, str] = timer._get_internal_data(BOUND) or {}
    for name, value in bound.items():
        if datetime.fromisoformat(value) == due and name in ledger.table:
            return ledger.table[name]
    return None


def _attached_clause(ledger: CaseLedger, attached: str | None) -> str:
    element = ledger.loaded.catalog["elements"].get(attached or "", {})
    return "; ".join(element.get("clauses") or [])


def _working(ledger: CaseLedger, rule: DeadlineRule) -> bool:
    try:
        return rule_spec(rule, ledger.reader).working
    except TermError:
        return False


def _legacy_working(ledger: CaseLedger, text: str) -> bool:
    try:
        return ledger.reader.read(parse_deadline(text)).working
    except DeadlineSpecError:
        return False


@dataclass(frozen=True)
class SpanStart:
    """The start event of a span deadline, seen during an advance."""

    start_at: datetime
    data: dict[str, Any]
    task: Task | None = None  # the completed task that started it, when one did
    scope_id: str | None = None  # the subprocess instance it belongs to, if any

    def ends(self, rule: DeadlineRule, completed: list[Task]) -> list[Task]:
        """The round's completed steps that end this span (in its subprocess instance)."""
        return [
            task
            for task in completed
            if task.task_spec.bpmn_id in rule.until
            and (self.scope_id is None or scope_of(task) == self.scope_id)
        ]

    def ended_after(self, rule: DeadlineRule, completed: list[Task]) -> bool:
        """Whether a step ending the span completed, in this round, after the span started."""
        ends = self.ends(rule, completed)
        if self.task is None:
            return bool(ends)  # the arrival or a due moment precedes the round's steps
        return any(task.last_state_change >= self.task.last_state_change for task in ends)

    def occurrence(self, rule: DeadlineRule, ledger: CaseLedger) -> Occurrence:
        """The span's occurrence counted from this start."""
        due = due_from(rule, self.start_at, ledger.reader, self.data)
        return Occurrence(
            key=rule.name,
            name=rule.name,
            clause=rule.clause,
            text=rule.text[:256],
            span=True,
            element_id=None,
            task_id=None,
            timer_task_id=None,
            timer_element_id=None,
            start_at=self.start_at,
            due_at=due,
            working=_working(ledger, rule),
            rule=rule,
            scope_id=self.scope_id,
        )


def span_scope(task: Task | None, rule: DeadlineRule) -> str | None:
    """A span started in a subprocess instance whose end steps are all in it belongs to it."""
    if task is None or scope_of(task) is None:
        return None
    inside = {spec.bpmn_id for spec in task.workflow.spec.task_specs.values()}
    return scope_of(task) if set(rule.until) <= inside else None


def span_trigger(
    ledger: CaseLedger,
    rule: DeadlineRule,
    workflow: BpmnWorkflow,
    completed: list[Task],
    moment: datetime,
    started: bool,
) -> SpanStart | None:
    """The start of a span if its start event happened in this round (and `when` holds)."""
    if rule.known_at:
        start = _known(ledger, rule, workflow, completed)
    else:
        start = _start(ledger, rule, workflow, completed, moment, started)
    if start is None:
        return None
    if rule.when and not _holds(ledger, rule.when, start.data):
        return None
    return replace(start, scope_id=span_scope(start.task, rule))


def _start(
    ledger: CaseLedger,
    rule: DeadlineRule,
    workflow: BpmnWorkflow,
    completed: list[Task],
    moment: datetime,
    started: bool,
) -> SpanStart | None:
    kind, ref = rule.start.kind, rule.start.ref
    if kind == "received":
        if not started:
            return None
        data = dict(workflow.data)
        return SpanStart(datetime.fromisoformat(data["received_at"]), data)
    if kind == "completed":
        for task in reversed(completed):
            if task.task_spec.bpmn_id == ref:
                return SpanStart(moment, dict(task.data), task)
        return None
    if kind == "data":
        for task in reversed(completed):
            value = task.data.get(ref or "")
            if isinstance(value, str) and value:
                return SpanStart(datetime.fromisoformat(value), dict(task.data), task)
        return None
    if kind == "deadline":
        anchor = ledger.latest(ref or "")
        if anchor is not None and anchor.armed_at == moment:
            return SpanStart(anchor.due_at, dict(workflow.data))
    return None


def _known(
    ledger: CaseLedger, rule: DeadlineRule, workflow: BpmnWorkflow, completed: list[Task]
) -> SpanStart | None:
    """A span armed when a `known_at` step completes, counted from its earlier start event."""
    step = next((t for t in reversed(completed) if t.task_spec.bpmn_id in rule.known_at), None)
    if step is None:
        return None
    data = {**workflow.data, **step.data}
    kind, ref = rule.start.kind, rule.start.ref or ""
    if kind == "received":
        value: Any = data.get("received_at")
    elif kind == "data":
        value = data.get(ref)
    else:  # {deadline: name}: that deadline's due moment in this case
        anchor = ledger.latest(ref)
        value = anchor.due_at if anchor is not None else None
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None  # the moment it counts from never happened in this case
    return SpanStart(value, data, step)


def _holds(ledger: CaseLedger, condition: str, data: dict[str, Any]) -> bool:
    environment = ledger.loaded.script_engine.environment
    return bool(environment.evaluate(condition, dict(data)))
