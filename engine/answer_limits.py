"""A step's dates bounded by its case (`not_after`), checked before the case advances.

The check reads the case (its state and deadline ledger) without changing it, so a refusal is a
plain FormError like any other field error: nothing of the case moves, whoever the caller is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock, using_clock
from engine.forms import VersionForms
from engine.forms.limits import check_limits
from engine.ledger.context import using_ledger
from engine.ledger.promises import case_limits
from engine.models import OpenUserTask
from engine.timers import all_tasks

if TYPE_CHECKING:
    from engine.instances import OpenCase


def check_case_limits(
    case: OpenCase,
    forms: VersionForms,
    row: OpenUserTask,
    values: dict[str, Any],
    clock: Clock,
) -> None:
    """FormError when a `not_after` field of the task's form lies after its limit in the case.

    Read on the locked case's workflow and ledger before its advance begins (nothing is added).
    """
    form = forms.form(row.form_key)
    if not any(spec.not_after for spec in form.fields):
        return
    now = clock.now()
    zone = ZoneInfo(forms.context.timezone)
    with using_clock(clock), using_ledger(case.ledger):
        wanted = UUID(row.task_id)
        workflow = case.workflow
        task = next((t for t in all_tasks(workflow, TaskState.READY) if t.id == wanted), None)
        data = {**(task.data if task is not None else workflow.data), **values}
        check_limits(form, values, case_limits(case.ledger, data, now, zone), zone)
