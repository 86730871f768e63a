"""Comments on a case (internal notes) on the card and the task page, posted with htmx."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine.access import NotFound, require_instance
from engine.inbox.comments import MAX_BODY, CommentRefused, add_comment, comments_of, mentionable
from engine.models import ProcessInstance
from web import db
from web.auth import current_viewer, login_required

bp = Blueprint("comments", __name__)


def _instance(instance_id: int) -> ProcessInstance:
    try:
        return require_instance(db.session(), current_viewer(), instance_id)
    except NotFound:
        abort(404)


def _task_id() -> str | None:
    task = (request.values.get("task") or "").strip()
    return task[:36] or None


@bp.route("/cases/<id:instance_id>/comments")
@login_required
def section(instance_id: int) -> ResponseReturnValue:
    """The comments of a case: a fragment for htmx, a page of its own without it."""
    return _render(_instance(instance_id))


@bp.route("/cases/<id:instance_id>/comments", methods=["POST"])
@login_required
def post(instance_id: int) -> ResponseReturnValue:
    """Post a comment; a refused one comes back with its errors and the text kept (422)."""
    instance = _instance(instance_id)
    viewer = current_viewer()
    body = request.form.get("body", "")
    picked = request.form.getlist("mention")
    try:
        add_comment(
            db.session(),
            instance,
            author=viewer.login,
            body=body,
            picked=picked,
            task_id=_task_id(),
            now=db.runtime().clock.now(),
        )
    except CommentRefused as refused:
        return _render(instance, body=body, picked=picked, errors=refused.errors), 422
    if request.headers.get("HX-Request"):
        return _render(instance)
    task = _task_id()
    target = (
        url_for("tasks.show", task_id=task)
        if task
        else url_for("messages.card", instance_id=instance.id)
    )
    return redirect(f"{target}#comments")


def _render(
    instance: ProcessInstance,
    *,
    body: str = "",
    picked: list[str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> str:
    staff = mentionable(db.session(), instance.municipality)
    names = {user.login: user.full_name for user in staff}
    context: dict[str, Any] = {
        "instance": instance,
        "comments": [
            {
                "author": names.get(comment.author, comment.author),
                "at": comment.created_at,
                "body": comment.body,
                "mentioned": [names.get(login, login) for login in comment.mentions],
            }
            for comment in comments_of(db.session(), instance.id)
        ],
        "staff": [user for user in staff if user.login != current_viewer().login],
        "body": body,
        "picked": set(picked or ()),
        "errors": errors or {},
        "task_id": _task_id(),
        "max_body": MAX_BODY,
    }
    if request.headers.get("HX-Request"):
        return render_template("comments/_section.html", **context)
    return render_template("comments/page.html", **context)
