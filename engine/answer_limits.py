"""A step's dates bounded by its case (`not_after`), checked before the case advances.

The check reads the case (its state and deadline ledger) without changing it, so a refusal is a
plain FormError like any other field error: nothing of the case moves, whoever the caller is.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.bpmn.serialization import load_state
from engine.clock import using_clock
from engine.forms import VersionForms
from engine.forms.limits import check_limits
from engine.ledger.case import CaseLedger
from engine.ledger.context import using_ledger
from engine.ledger.promises import case_limits
from engine.live import loaded_version_by_id
from engine.models import OpenUserTask, ProcessInstance
from engine.runtime import Runtime
from engine.timers import all_tasks


def check_case_limits(
    session: Session,
    runtime: Runtime,
    forms: VersionForms,
    row: OpenUserTask,
    values: dict[str, Any],
) -> None:
    """FormError when a `not_after` field of the task's form lies after its limit in the case."""
    form = forms.form(row.form_key)
    if not any(spec.not_after for spec in form.fields):
        return
    instance = session.get_one(ProcessInstance, row.instance_id)
    loaded = loaded_version_by_id(session, runtime, instance.version_id)
    now = runtime.clock.now()
    zone = ZoneInfo(forms.context.timezone)
    ledger = CaseLedger(session, instance, loaded, now)  # read only: nothing is added
    with using_clock(runtime.clock), using_ledger(ledger):
        workflow = load_state(
            instance.state, loaded.spec, loaded.subprocess_specs, loaded.script_engine
        )
        wanted = UUID(row.task_id)
        task = next((t for t in all_tasks(workflow, TaskState.READY) if t.id == wanted), None)
        data = {**(task.data if task is not None else workflow.data), **values}
        check_limits(form, values, case_limits(ledger, data, now, zone), zone)
