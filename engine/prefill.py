"""What a task page starts from: fields with `default_from` read the case's data.

A linked case (engine/linked.py) carries the earlier departments; a routing field declaring
`default_from: linked_case.departments` starts with them ticked, and staff may change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.forms import FormSpec
from engine.forms.spec import is_empty
from engine.instances import read_workflow
from engine.models import OpenUserTask
from engine.runtime import Runtime
from engine.timers import all_tasks


def prefilled(form: FormSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the form's `default_from` fields found (not empty) in the case data."""
    found: dict[str, Any] = {}
    for spec in form.fields:
        if spec.default_from is None:
            continue
        value: Any = data
        for part in spec.default_from.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if not is_empty(value):
            found[spec.name] = value
    return found


def task_prefill(
    session: Session, runtime: Runtime, row: OpenUserTask, form: FormSpec
) -> dict[str, Any]:
    """The starting values of an open task's form, read from its case (nothing is changed)."""
    if not any(spec.default_from for spec in form.fields):
        return {}
    workflow = read_workflow(session, runtime, row.instance_id)
    wanted = UUID(row.task_id)
    task = next((t for t in all_tasks(workflow, TaskState.READY) if t.id == wanted), None)
    return prefilled(form, task.data if task is not None else workflow.data)
