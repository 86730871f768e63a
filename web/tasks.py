"""The task list (home page), claiming, and the task page where a step is completed."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import SCOPES, NotFound, Scope, Viewer, require_task
from engine.assignment import colleagues_for
from engine.attachments import case_attachments, may_open, referenced
from engine.forms import FormError, VersionForms
from engine.instances import InstanceNotRunning, RegulationFailed, StaleTaskError, complete_task
from engine.models import Attachment, OpenUserTask
from engine.prefill import task_prefill
from engine.queries import (
    NextStep,
    TaskFilter,
    TaskPage,
    TaskView,
    completion_of,
    filter_choices,
    next_steps,
    task_list,
    task_view,
    unread_counts,
)
from engine.queries.answer import PUBLISHED_TEXT
from engine.recovery import mark_failed
from engine.saved_filters import FilterError, delete_filter, filter_args, save_filter, user_filters
from engine.tasks import TaskClaimedError, TaskNotOpenError, claim_task, release_task
from engine.versions import version_forms
from web import db
from web.attachments import file_names, take_uploads
from web.auth import current_viewer, login_required, safe_next
from web.forms import flatten_errors, read_submission, render_form
from web.municipality import department_choices
from web.templating import role_label

bp = Blueprint("tasks", __name__)
SHOWN_PREFIX = 8  # characters of a task id that tell the rows on screen apart (tasklist.js)
PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")  # what url_for writes unquoted, as it is
ID_SLOT = "0task0id0"


@bp.app_template_global()
def task_url(endpoint: str, task_id: str) -> str:
    """`url_for(endpoint, task_id=…)`, built once a request and filled in for each row."""
    # The list builds two addresses a row; building each through the URL map cost more than
    # the rest of the row. An id that would need quoting takes the long way.
    if not PLAIN_ID.fullmatch(task_id):
        return url_for(endpoint, task_id=task_id)
    built: dict[str, tuple[str, str]] = g.setdefault("task_urls", {})
    if endpoint not in built:
        before, _, after = url_for(endpoint, task_id=ID_SLOT).rpartition(ID_SLOT)
        built[endpoint] = (before, after)
    before, after = built[endpoint]
    return f"{before}{task_id}{after}"


@bp.app_template_global()
def task_tabs(viewer: Viewer) -> list[Scope]:
    """The tabs: «Моего подразделения» only for those with a department, «Все» to overseers."""
    # A curator has no department: that tab would repeat «Мои», so it is not offered.
    tabs: list[Scope] = ["mine"]
    if viewer.departments:
        tabs.append("department")
    if viewer.oversees:
        tabs.append("all")
    return tabs


def chosen_filter() -> TaskFilter:
    """The task-list tab and filters from the query string."""
    args = request.args
    scope: Scope = args.get("scope", "mine") if args.get("scope") in SCOPES else "mine"  # type: ignore[assignment]
    return TaskFilter(
        scope=scope,
        source=args.get("source") or None,
        element_id=args.get("step") or None,
        department=args.get("department") or None,
        overdue=args.get("overdue") == "1",
        page=args.get("page", 1, type=int) or 1,
        search=args.get("q", "").strip() or None,
    )


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """The task list with tabs, filters and rows that refresh themselves."""
    return render_list()


def render_list(filter_error: str | None = None) -> str:
    """The task list page, with the error of a refused «save filter» when there was one."""
    viewer = current_viewer()
    chosen = chosen_filter()
    page = task_list(db.session(), db.runtime(), viewer, chosen)
    # Both counters in one statement; the header's (web/inbox.py) reads its own from `g`.
    unread, g.inbox_unread = unread_counts(db.session(), viewer)
    return render_template(
        "tasks/list.html",
        saved_filters=[
            (saved, filter_args(saved)) for saved in user_filters(db.session(), g.user.id)
        ],
        filter_error=filter_error,
        page=page,
        chosen=chosen,
        choices=filter_choices(db.session(), viewer),
        departments=department_choices(viewer.municipality),
        poll_seconds=current_app.config["TASK_LIST_POLL_SECONDS"],
        unread_notices=unread,
        args=list_args(),
    )


@bp.route("/tasks/rows")
@login_required
def rows() -> ResponseReturnValue:
    """The rows alone, for the list's periodic refresh: rows on screen update, new ones wait."""
    chosen = chosen_filter()
    page = task_list(db.session(), db.runtime(), current_viewer(), chosen)
    page, waiting = keep_place(page, shown_tasks())
    return render_template(
        "tasks/_rows.html",
        page=page,
        chosen=chosen,
        departments=department_choices(current_viewer().municipality),
        poll_seconds=current_app.config["TASK_LIST_POLL_SECONDS"],
        waiting=waiting,
        args=list_args(),
    )


@bp.route("/tasks/filters", methods=["POST"])
@login_required
def save_current_filter() -> ResponseReturnValue:
    """Save the list's current tab, filters and search under a name of the user's choosing."""
    pairs = [(key, value) for key, value in request.form.items(multi=True) if key != "name"]
    try:
        saved = save_filter(
            db.session(), g.user.id, request.form.get("name", ""), pairs, db.runtime().clock.now()
        )
    except FilterError as error:
        return render_list(str(error)), 422
    flash(gettext("Filter «%(name)s» saved.", name=saved.name), "info")
    query: dict[str, Any] = filter_args(saved)
    return redirect(url_for("tasks.index", **query), 303)


@bp.route("/tasks/filters/<id:filter_id>/delete", methods=["POST"])
@login_required
def delete_saved_filter(filter_id: int) -> ResponseReturnValue:
    """Delete one of the user's saved filters (another user's is 404)."""
    if not delete_filter(db.session(), g.user.id, filter_id):
        abort(404)
    flash(gettext("The filter is deleted."), "info")
    return redirect(url_for("tasks.index"), 303)


def shown_tasks() -> set[str] | None:
    """The task ids the page shows now (`shown`, sent by tasklist.js), or None for all."""
    if "shown" not in request.args:
        return None
    # Prefixes keep the polled URL short (100 full ids would near gunicorn's 4 KiB request line).
    return {part[:SHOWN_PREFIX] for part in request.args["shown"].split(",") if part}


def keep_place(page: TaskPage, shown: set[str] | None) -> tuple[TaskPage, int]:
    """Only the rows already on screen, and how many new ones wait to be shown."""
    if not shown:  # the first load, «показать», or an empty list: nothing to keep in place
        return page, 0
    kept = [row for row in page.rows if row.task.task_id[:SHOWN_PREFIX] in shown]
    waiting = len(page.rows) - len(kept)
    return replace(page, rows=kept), waiting


def list_args() -> dict[str, str]:
    """The list's own query (tab, filters, page), without what the refresh adds."""
    return {key: value for key, value in request.args.items() if key != "shown"}


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    """Take a task into one's own work."""
    viewer = current_viewer()
    require_task(db.session(), viewer, task_id, to_complete=True)
    try:
        claim_task(db.session(), db.runtime(), task_id, viewer.login)
    except (TaskClaimedError, TaskNotOpenError):
        flash(gettext("Someone else has already taken this task."), "error")
        return redirect(safe_next(request.form.get("next"))), 409
    flash(gettext("The task is yours now."), "info")
    return redirect(safe_next(request.form.get("next")))


@bp.route("/tasks/<task_id>/release", methods=["POST"])
@login_required
def release(task_id: str) -> ResponseReturnValue:
    """Give a task back to its department or role."""
    viewer = current_viewer()
    task = require_task(db.session(), viewer, task_id)
    if task.assignee not in viewer.acts_for:
        abort(403)
    try:
        release_task(db.session(), db.runtime(), task_id, task.assignee)
    except (TaskClaimedError, TaskNotOpenError):
        abort(409)
    flash(gettext("The task is back in the common list."), "info")
    return redirect(safe_next(request.form.get("next")))


@bp.route("/tasks/<task_id>", methods=["GET"])
@login_required
def show(task_id: str) -> ResponseReturnValue:
    """The task page: the message card, the form, the requirements, the history."""
    try:
        return render_task(task_id)
    except NotFound:
        return already_done(task_id)


@bp.route("/tasks/<task_id>", methods=["POST"])
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    """Complete the step with the form's data; a refused form keeps what was typed."""
    viewer = current_viewer()
    try:
        task = require_task(db.session(), viewer, task_id, to_complete=True)
    except NotFound:
        return already_done(task_id)
    forms = version_forms(db.session(), db.runtime(), task.instance_id)
    form = forms.form(task.form_key)
    data = read_submission(form, request.form)
    refused, stored = take_uploads(task, form, data)
    if stored:
        db.keep_changes()  # an accepted file stays with the case though the form is refused
    if refused:
        return render_task(
            task_id, data, with_form_errors(forms, task.form_key, data, refused)
        ), 422
    # The task's row may become the next step's (engine/projection.py): read it before.
    step, instance_id = task.name, task.instance_id
    try:
        complete_task(db.session(), db.runtime(), task_id, data, viewer.login)
    except FormError as error:
        return render_task(task_id, data, flatten_errors(error.errors)), 422
    except StaleTaskError:
        db.session().rollback()
        return already_done(task_id)
    except InstanceNotRunning:  # parked by an error of the regulation: the page says so
        db.session().rollback()
        return render_task(task_id, data), 409
    except RegulationFailed as error:
        # The regulation itself failed on this step (a runaway or raising script, a timer that
        # yields no moment): nothing of the step is kept, the case is parked with the reason for
        # an administrator, and every later submit is refused the same clear way.
        db.session().rollback()
        mark_failed(db.session(), db.runtime(), instance_id, error, actor=viewer.login)
        db.keep_changes()
        return render_task(task_id, data), 409
    flash(gettext("Done: «%(step)s».", step=step), "info")
    return after_completion(instance_id)


def with_form_errors(
    forms: VersionForms, key: str, data: dict[str, Any], refused: dict[str, list[str]]
) -> dict[str, list[str]]:
    """A refused file's errors and the rest of the form's, so one submit shows them all."""
    try:
        forms.validate(key, data)
    except FormError as error:
        others = flatten_errors(error.errors)
        return {name: refused.get(name, []) + others.get(name, []) for name in {*refused, *others}}
    return refused


def after_completion(instance_id: int) -> ResponseReturnValue:
    """Open the case's next step when the user can do it; else say what happens next, and who."""
    viewer = current_viewer()
    steps = next_steps(db.session(), viewer, instance_id)
    mine = next((step for step in steps if step.can_complete), None)
    if mine is not None:
        flash(gettext("Next step of this case: «%(step)s».", step=mine.name), "info")
        return redirect(url_for("tasks.show", task_id=mine.task_id))
    for step in steps:
        flash(gettext("Next: «%(step)s» — %(who)s.", step=step.name, who=doer(step)), "info")
    if not steps:
        flash(gettext("The case has no open steps now."), "info")
    return redirect(url_for("tasks.index"))


def doer(step: NextStep) -> str:
    """Who does a step, as staff read it: the colleague who took it, or the lane and department."""
    if step.assignee:
        return step.assignee_name or step.assignee
    parts = [step.lane or role_label(step.role or "")]
    if step.department:
        parts.append(
            dict(department_choices(current_viewer().municipality)).get(
                step.department, step.department
            )
        )
    return ", ".join(part for part in parts if part)


def starting_values(task_id: str, view: TaskView) -> dict[str, Any]:
    """What a step's form starts with: fields taken from the case, or the step's own last draft."""
    forms = view.card.forms
    row = db.session().get(OpenUserTask, task_id)
    values = task_prefill(db.session(), db.runtime(), row, forms.form(view.form_key)) if row else {}
    form = forms.form(view.form_key)
    if form.field(PUBLISHED_TEXT) is not None and view.card.answer.drafts_text:
        # The publication starts from the approved drafts; the curator may edit them.
        values.setdefault(PUBLISHED_TEXT, view.card.answer.drafts_text)
    if view.drafts_step and view.previous_draft is not None:
        # A redo starts from the step's own last draft, not from an empty form.
        names = forms.form(view.form_key).names
        values.update(
            {name: value for name, value in view.previous_draft.values.items() if name in names}
        )
    return values


def render_task(
    task_id: str, values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None
) -> str:
    """The task page, with submitted values and errors when a form was refused."""
    viewer = current_viewer()
    view = task_view(db.session(), db.runtime(), viewer, task_id)
    forms = view.card.forms
    if values is None:
        values = starting_values(task_id, view)
    instance_id = view.card.instance.id
    return render_template(
        "tasks/task.html",
        view=view,
        card=view.card,
        case_files={row.sha256: row for row in case_attachments(db.session(), instance_id)},
        file_names=file_names(instance_id),
        answer_files=[] if view.drafts_step else answer_files(viewer, view),
        form=forms.form(view.form_key),
        fields=render_form(forms, view.form_key, values, errors),
        form_errors=(errors or {}).get("_schema", []),
        departments=department_choices(viewer.municipality),
        answer_limit=view.answer_limit,
        colleagues=assignable_colleagues(task_id),
    )


def answer_files(viewer: Viewer, view: TaskView) -> list[Attachment]:
    """The current drafts' files this viewer may open, shown above a check or publication."""
    values = [draft.values for draft in view.card.answer.drafts]
    found = referenced(db.session(), view.card.instance.id, values)
    return [row for row in found if may_open(viewer, row)]


def assignable_colleagues(task_id: str) -> list[Any]:
    """Whom an overseeing viewer may give this step to (nobody for others)."""
    viewer = current_viewer()
    row = db.session().get(OpenUserTask, task_id)
    if row is None or not viewer.oversees:
        return []
    return colleagues_for(db.session(), db.runtime(), row, viewer)


def already_done(task_id: str) -> ResponseReturnValue:
    """A task no longer open: say who completed it and when (409), or 404 if unknown."""
    completion = completion_of(db.session(), current_viewer(), task_id)
    if completion is None:
        abort(404)
    return render_template("tasks/done.html", completion=completion), 409
