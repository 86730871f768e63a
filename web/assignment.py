"""Assigning a task to a named colleague, or releasing one a colleague cannot finish."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import NotFound, require_task
from engine.assignment import AssignmentRefused, assign_task
from engine.tasks import TaskNotOpenError
from web import db
from web.auth import current_viewer, login_required
from web.tasks import render_task

bp = Blueprint("assignment", __name__)


@bp.route("/tasks/<task_id>/assign", methods=["POST"])
@login_required
def assign(task_id: str) -> ResponseReturnValue:
    """Give the task to the chosen colleague, or (nobody chosen) back to the common list."""
    viewer = current_viewer()
    try:
        require_task(db.session(), viewer, task_id)
    except NotFound:
        abort(404)
    assignee = request.form.get("assignee") or None
    try:
        task = assign_task(db.session(), db.runtime(), task_id, assignee, viewer)
    except AssignmentRefused as refusal:
        db.session().rollback()
        flash(str(refusal), "error")
        return render_task(task_id), 403
    except TaskNotOpenError:
        abort(409)
    if task.assignee:
        flash(gettext("The step is assigned to the chosen colleague."), "info")
    else:
        flash(gettext("The task is back in the common list."), "info")
    return redirect(url_for("tasks.show", task_id=task_id))
