"""The answer's delivery on the card and the task list; the curator's retry and manual link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import require_instance
from engine.models import Publication
from engine.publishing.outbox import (
    failed_publications,
    latest_publication,
    record_manual,
    retry_failed,
)
from engine.publishing.status import PublicationStatus
from engine.statuses import TransitionError
from web import db
from web.auth import current_viewer, roles_required

bp = Blueprint("publishing", __name__)
PUBLISHERS = ("curator", "administrator")
MAX_URL = 1024


def init_app(app: Flask) -> None:
    """Templates may ask for a case's publication and the town's failed ones."""

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "case_publication": _case_publication,
            "failed_publications_here": _failed_here,
            "PublicationStatus": PublicationStatus,
        }


def _case_publication(instance_id: int) -> Publication | None:
    return latest_publication(db.session(), instance_id)


def _failed_here() -> list[Publication]:
    if getattr(g, "viewer", None) is None or not g.viewer.oversees:
        return []
    return failed_publications(db.session(), g.viewer.municipality)


def _failed_of_case(instance_id: int) -> Publication:
    require_instance(db.session(), current_viewer(), instance_id)
    row = latest_publication(db.session(), instance_id)
    if row is None:
        abort(404)
    return row


@bp.route("/cases/<id:instance_id>/publication/retry", methods=["POST"])
@roles_required(*PUBLISHERS)
def retry(instance_id: int) -> ResponseReturnValue:
    """Send a failed publication again (after the token or the post was fixed)."""
    row = _failed_of_case(instance_id)
    try:
        retry_failed(db.session(), row.id, db.runtime().clock.now(), current_viewer().login)
    except TransitionError:
        abort(409)
    flash(gettext("The answer is queued for sending again."), "info")
    return redirect(url_for("messages.card", instance_id=instance_id))


@bp.route("/cases/<id:instance_id>/publication/manual", methods=["POST"])
@roles_required(*PUBLISHERS)
def manual(instance_id: int) -> ResponseReturnValue:
    """The curator published by hand: the link replaces the channel's."""
    row = _failed_of_case(instance_id)
    url = request.form.get("url", "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
        flash(gettext("Give the link to the published answer (http:// or https://)."), "error")
        return redirect(url_for("messages.card", instance_id=instance_id)), 422
    try:
        record_manual(db.session(), row.id, db.runtime().clock.now(), url, current_viewer().login)
    except TransitionError:
        abort(409)
    flash(gettext("The link is recorded."), "info")
    return redirect(url_for("messages.card", instance_id=instance_id))
