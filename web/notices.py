"""The notices tab: breaches and reminders addressed to one's roles, acknowledged with a comment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.notices import NoticeNotFound, acknowledge
from engine.queries import notice_inbox
from web import db
from web.auth import current_viewer, login_required

bp = Blueprint("notices", __name__, url_prefix="/notices")
MAX_COMMENT = 2000


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Unacknowledged notices first; `?all=1` shows the acknowledged ones too."""
    show_all = request.args.get("all") == "1"
    page = notice_inbox(
        db.session(),
        current_viewer(),
        db.runtime().clock.now(),
        unread_only=not show_all,
        page=request.args.get("page", 1, type=int) or 1,
        processes_dir=db.runtime().processes_dir,
    )
    return render_template("notices/index.html", page=page, show_all=show_all)


@bp.route("/<int:notice_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_notice(notice_id: int) -> ResponseReturnValue:
    """Mark a notice read; the comment says what was done about it."""
    viewer = current_viewer()
    comment = request.form.get("comment", "")
    if len(comment) > MAX_COMMENT or "\x00" in comment:
        flash(gettext("The comment is too long."), "error")
        return redirect(url_for("notices.index")), 422
    try:
        acknowledge(
            db.session(),
            notice_id,
            municipality=viewer.municipality,
            roles=viewer.roles,
            departments=viewer.departments,
            actor=viewer.login,
            comment=comment,
            now=db.runtime().clock.now(),
        )
    except NoticeNotFound:
        abort(404)
    flash(gettext("The notice is acknowledged."), "info")
    return redirect(url_for("notices.index"))
