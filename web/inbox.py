"""Each user's notices in the page: the header's unread counter, the list, mail preferences."""

from __future__ import annotations

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

from engine.inbox import kinds
from engine.inbox.reading import (
    NotYours,
    mail_of,
    mark_read,
    notices_of,
    preferences_of,
    set_preferences,
    unread_count,
)
from engine.inbox.status import MailStatus
from web import db
from web.auth import current_viewer, login_required

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
# Fragments without the page's header: nothing in them shows the count, so it is not asked.
HEADLESS = frozenset({"tasks.rows"})


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """The signed-in user's unread count, for the header and the tab's title."""
    user = g.get("user")
    if user is None or request.endpoint in HEADLESS:
        return {"inbox_unread": 0}
    counted = g.get("inbox_unread")  # the task list counts it with its own counter
    return {
        "inbox_unread": unread_count(db.session(), user.id) if counted is None else counted,
        "inbox_poll_seconds": current_app.config.get("TASK_LIST_POLL_SECONDS", 15),
    }


def kind_labels() -> dict[str, str]:
    """Russian names of the kinds, in the catalog."""
    return {
        kinds.TASK: gettext("A new task for me or my department"),
        kinds.ASSIGNED: gettext("A task assigned to me"),
        kinds.REMINDER: gettext("A deadline approaching"),
        kinds.BREACH: gettext("A deadline breached"),
        kinds.MENTION: gettext("A mention in a comment"),
        kinds.PUBLICATION_FAILED: gettext("An answer that could not be published"),
    }


def mail_words() -> dict[str, str]:
    """What became of a notice's mail, in the catalog."""
    return {
        MailStatus.PENDING: gettext("mail waiting to be sent"),
        MailStatus.SENDING: gettext("mail being sent"),
        MailStatus.RETRYING: gettext("mail to be tried again"),
        MailStatus.SENT: gettext("mail sent"),
        MailStatus.FAILED: gettext("mail not sent"),
    }


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """The user's notices, newest first; `?unread=1` only the unread ones."""
    unread_only = request.args.get("unread") == "1"
    page = request.args.get("page", 1, type=int) or 1
    notices = notices_of(db.session(), current_viewer().user_id, unread_only=unread_only, page=page)
    return render_template(
        "inbox/index.html",
        notices=notices,
        mails=mail_of(db.session(), [notice.id for notice in notices]),
        mail_words=mail_words(),
        unread_only=unread_only,
        labels=kind_labels(),
        page=page,
    )


@bp.route("/counter")
def counter() -> ResponseReturnValue:
    """The header's counter alone (htmx polls it); signed out, 204 keeps the page as it is."""
    if g.get("user") is None:  # a redirect to the sign-in page would land inside the header
        return "", 204
    return render_template("inbox/_counter.html")


@bp.route("/<id:notice_id>/read", methods=["POST"])
@login_required
def read(notice_id: int) -> ResponseReturnValue:
    """Mark one notice read (another user's answers 404)."""
    try:
        mark_read(db.session(), current_viewer().user_id, db.runtime().clock.now(), notice_id)
    except NotYours:
        abort(404)
    return redirect(url_for("inbox.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all() -> ResponseReturnValue:
    """Mark every notice of the user read."""
    mark_read(db.session(), current_viewer().user_id, db.runtime().clock.now())
    flash(gettext("All notices are marked read."), "info")
    return redirect(url_for("inbox.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    """Which kinds come by mail, and whether as one daily digest."""
    user_id = current_viewer().user_id
    if request.method == "POST":
        set_preferences(
            db.session(), user_id, request.form.getlist("kind"), request.form.get("digest") == "1"
        )
        flash(gettext("Your mail preferences are saved."), "info")
        return redirect(url_for("inbox.preferences"))
    return render_template(
        "inbox/preferences.html",
        chosen=preferences_of(db.session(), user_id),
        labels=kind_labels(),
        email=g.user.email,
    )
