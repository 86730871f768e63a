"""Moving a running case onto another version of its regulation (SpiffWorkflow's diff/migrate)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.bpmn.serialization import SERIALIZER, dump_state, load_state
from engine.instances import advance, lock_instance
from engine.models import CaseDeadline, OpenUserTask, ProcessInstance, ProcessVersion
from engine.projection import ready_user_tasks
from engine.regulation.terms import due_from
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.timers import all_tasks, is_timer
from engine.versions import LoadedVersion, load_version

_PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE
_EVENT_VALUE = "event_value"
_SPLIT = ".BoundaryEventSplit"


class MigrationRefused(Exception):
    """A case that cannot move: the reason is in Russian, for the administrator."""


@dataclass(frozen=True)
class DeadlineShift:
    """An armed deadline of a migrated case: its due moment before and after."""

    name: str
    element_id: str | None
    old_due: str
    new_due: str
    old_text: str
    new_text: str


@dataclass
class CaseVerdict:
    """What migrating one case does, or why it cannot."""

    instance_id: int
    can: bool
    reason: str = ""
    already: bool = False
    steps_before: list[str] = field(default_factory=list)
    steps_after: list[str] = field(default_factory=list)
    deadlines: list[DeadlineShift] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The verdict for --json and the web page."""
        return asdict(self)


@dataclass(frozen=True)
class MigrationPlan:
    """From which version to which, how removed elements map, and what happens to terms."""

    old: ProcessVersion
    new: ProcessVersion
    mapping: dict[str, str] = field(default_factory=dict)
    recompute: bool = False  # armed deadlines under the new table instead of kept


def migrate_case(
    session: Session, runtime: Runtime, instance_id: int, plan: MigrationPlan, actor: str
) -> CaseVerdict:
    """Migrate one case under its row lock in the caller's transaction (a dry run rolls back)."""
    try:
        instance = lock_instance(session, instance_id)
    except LookupError:
        return CaseVerdict(instance_id, False, "нет такого дела")
    if instance.version_id == plan.new.id:
        return CaseVerdict(instance_id, True, "уже на новой версии", already=True)
    if instance.version_id != plan.old.id:
        return CaseVerdict(instance_id, False, f"дело не на версии «{plan.old.label}»")
    if instance.status is not InstanceStatus.RUNNING:
        return CaseVerdict(instance_id, False, "дело не в работе (завершено или остановлено)")
    old, new = load_version(plan.old, runtime), load_version(plan.new, runtime)
    workflow = load_state(instance.state, old.spec, old.subprocess_specs, old.script_engine)
    verdict = CaseVerdict(instance_id, True, steps_before=_steps(workflow, old))
    try:
        _move(workflow, old, new, plan)
    except MigrationRefused as refusal:
        return CaseVerdict(instance_id, False, str(refusal), steps_before=verdict.steps_before)
    shifts = _reconcile_deadlines(session, instance_id, workflow, new, plan.recompute)
    instance.state = dump_state(workflow)
    instance.version_id = plan.new.id
    session.flush()
    advanced = advance(session, runtime, instance_id, actor)
    _refresh_projection(session, instance_id, advanced.instance, runtime, plan)
    verdict.steps_after = _steps_of(session, instance_id)
    verdict.deadlines = shifts
    audit.record(
        session,
        AuditKind.INSTANCE_MIGRATED,
        runtime.clock.now(),
        actor,
        instance_id=instance_id,
        version_id=plan.new.id,
        from_version=plan.old.label,
        to_version=plan.new.label,
        deadlines="recomputed" if plan.recompute else "kept",
        mapping=plan.mapping,
        steps_before=verdict.steps_before,
        steps_after=verdict.steps_after,
        shifts=[asdict(shift) for shift in shifts],
    )
    return verdict


def _move(
    workflow: BpmnWorkflow, old: LoadedVersion, new: LoadedVersion, plan: MigrationPlan
) -> None:
    """Swap the specs (mapped where asked); open steps are re-predicted, timers keep waiting."""
    top, subprocesses = diff_workflow(SERIALIZER.registry, workflow, new.spec, new.subprocess_specs)
    if any(diff is None for diff in subprocesses.values()):
        raise MigrationRefused("подпроцесс дела отсутствует в новой версии")
    missing = []
    for task in top.removed:
        target = mapped_spec(task.task_spec.name, plan.mapping, old.spec, new.spec)
        if target is not None:
            top.alignment[task] = target
        elif not task.has_state(_PREDICTED):  # predicted branches are re-predicted below
            missing.append(task)
    if missing:
        raise MigrationRefused(_missing_text(missing, old, plan))
    # Only READY steps are reset: a waiting timer keeps its task and its due moment, which
    # the deadline policy below then keeps or recounts (never SpiffWorkflow's wall clock).
    migrate_workflow(top, workflow, new.spec, reset_mask=TaskState.READY)
    _drop_stale_predictions(workflow, top)
    for sp_id, diff in subprocesses.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(diff, sub, new.subprocess_specs[sub.spec.name], reset_mask=TaskState.READY)
        _drop_stale_predictions(sub, diff)
    try:  # what is stored must load under the new version
        load_state(dump_state(workflow), new.spec, new.subprocess_specs, new.script_engine)
    except Exception as error:  # SpiffWorkflow raises KeyError and its own errors here
        raise MigrationRefused(f"состояние дела не переносится: {error}") from error


def _drop_stale_predictions(workflow: Any, diff: Any) -> None:
    """Predicted tasks of removed elements go, and their branch is predicted again under B.

    migrate_workflow resets only READY tasks, so a prediction further on (a step the case has
    not reached, e.g. behind a running subprocess) would keep A's spec and not load under B.
    """
    parents = []
    for task in diff.removed:
        if task.id in workflow.tasks and task.has_state(_PREDICTED):
            parents.append(task.parent)
            workflow._remove_task(task.id)
    for parent in parents:  # a definite parent grows its children when it completes
        if parent is not None and parent.id in workflow.tasks and parent.has_state(_PREDICTED):
            parent.task_spec._predict(parent)


def mapped_spec(
    name: str, mapping: dict[str, str], old: BpmnProcessSpec, new: BpmnProcessSpec
) -> Any:
    """The new spec a removed one maps to (its boundary-event structure included), or None."""
    for old_id, new_id in mapping.items():
        if name == old_id:
            # A plain step mapped onto one with deadlines starts at the split that arms them.
            split = new.task_specs.get(f"{new_id}{_SPLIT}")
            if split is not None and f"{old_id}{_SPLIT}" not in old.task_specs:
                return split
            return new.task_specs.get(new_id)
        if name.startswith(f"{old_id}."):  # old_id.BoundaryEventSplit and its join
            return new.task_specs.get(new_id + name[len(old_id) :])
    return None


def _missing_text(missing: list[Any], old: LoadedVersion, plan: MigrationPlan) -> str:
    names = []
    for task in missing:
        element = old.catalog["elements"].get(task.task_spec.bpmn_id or "", {})
        name = element.get("name") or task.task_spec.name
        names.append(f"«{name}» ({task.task_spec.name})")
    return (
        f"в версии «{plan.new.label}» нет шагов {', '.join(sorted(set(names)))}, "
        "через которые дело прошло или на которых стоит; укажите соответствие в --mapping"
    )


def _open_deadlines(session: Session, instance_id: int) -> list[CaseDeadline]:
    return [
        entry
        for entry in session.scalars(
            select(CaseDeadline).where(CaseDeadline.instance_id == instance_id)
        )
        if entry.state.is_open
    ]


def _reconcile_deadlines(
    session: Session,
    instance_id: int,
    workflow: BpmnWorkflow,
    new: LoadedVersion,
    recompute: bool,
) -> list[DeadlineShift]:
    """Armed terms keep their due moment (the rule in force when they started) or are recounted."""
    timers = {
        str(task.id): task for task in all_tasks(workflow, TaskState.WAITING) if is_timer(task)
    }
    shifts = []
    for entry in _open_deadlines(session, instance_id):
        old_due, old_text = entry.due_at, entry.text
        rule = new.table[entry.name] if entry.name in new.table else None  # noqa: SIM401
        if recompute and rule is not None and entry.paused_at is None:
            entry.due_at = due_from(rule, entry.start_at, new.reader, workflow.data)
            timer = timers.get(entry.timer_task_id or "")
            if timer is not None:  # the timer fires at the recounted moment
                timer._set_internal_data(**{_EVENT_VALUE: entry.due_at.isoformat()})
            entry.text, entry.clause = rule.text, rule.clause
        shifts.append(
            DeadlineShift(
                entry.name,
                entry.element_id,
                _iso(old_due),
                _iso(entry.due_at),
                old_text,
                entry.text,
            )
        )
    return shifts


def _refresh_projection(
    session: Session,
    instance_id: int,
    instance: ProcessInstance,
    runtime: Runtime,
    plan: MigrationPlan,
) -> None:
    """Open tasks show the new version's names, roles and forms; assignees stay."""
    loaded = load_version(plan.new, runtime)
    workflow = load_state(
        instance.state, loaded.spec, loaded.subprocess_specs, loaded.script_engine
    )
    ready = ready_user_tasks(workflow, loaded.catalog)
    for row in session.scalars(select(OpenUserTask).where(OpenUserTask.instance_id == instance_id)):
        task = ready.get(row.task_id)
        if task is not None:
            row.element_id, row.name, row.form_key = task.element_id, task.name, task.form_key
            row.lane, row.role = task.lane, task.role


def _steps(workflow: BpmnWorkflow, loaded: LoadedVersion) -> list[str]:
    return sorted(task.element_id for task in ready_user_tasks(workflow, loaded.catalog).values())


def _steps_of(session: Session, instance_id: int) -> list[str]:
    query = select(OpenUserTask.element_id).where(OpenUserTask.instance_id == instance_id)
    return sorted(session.scalars(query))


def _iso(moment: datetime) -> str:
    return moment.isoformat()
