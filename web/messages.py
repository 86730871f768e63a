"""The message registry, the case card with its diagram, and manual intake (Palana, п. 8)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import require_instance
from engine.incoming import MAX_EXTERNAL_ID
from engine.intake import CHANNELS, DuplicateMessage, InvalidMessage, receive_message
from engine.models import ProcessVersion
from engine.queries import MessageFilter, case_card, municipality_settings, search, sources
from engine.statuses import InstanceStatus
from engine.versions import NoActiveVersion
from web import db
from web.auth import current_viewer, login_required, roles_required
from web.forms import flatten_errors

bp = Blueprint("messages", __name__)
INTAKE_FIELDS = (
    "source",
    "external_id",
    "channel",
    "author",
    "author_id",
    "text",
    "url",
    "received_at",
)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def chosen_filter() -> MessageFilter:
    """The registry's search from the query string (unreadable values are ignored)."""
    args = request.args
    status = args.get("status")
    return MessageFilter(
        status=InstanceStatus(status) if status in set(InstanceStatus) else None,
        source=args.get("source") or None,
        overdue=args.get("overdue") == "1",
        received_from=_day(args.get("from")),
        received_to=_day(args.get("to")),
        text=args.get("q", "").strip(),
        page=args.get("page", 1, type=int) or 1,
    )


@bp.route("/messages/")
@login_required
def registry() -> ResponseReturnValue:
    """Every message of the municipality, newest first, with search and filters."""
    viewer = current_viewer()
    chosen = chosen_filter()
    return render_template(
        "messages/registry.html",
        page=search(db.session(), db.runtime(), viewer, chosen),
        chosen=chosen,
        sources=sources(db.session(), viewer),
        statuses=list(InstanceStatus),
        args=request.args,
    )


@bp.route("/cases/<id:instance_id>")
@login_required
def card(instance_id: int) -> ResponseReturnValue:
    """The case card: message, diagram with the path taken, timeline, violations, answer."""
    found = case_card(db.session(), db.runtime(), current_viewer(), instance_id)
    return render_template("messages/card.html", card=found)


@bp.route("/cases/<id:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int) -> ResponseReturnValue:
    """The BPMN XML of the case's regulation version, for the diagram viewer.

    A download, never a page: a `<script>` inside a deployed diagram must not run here.
    """
    instance = require_instance(db.session(), current_viewer(), instance_id)
    version = db.session().get_one(ProcessVersion, instance.version_id)
    response = Response(version.bpmn_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="case-{instance_id}.bpmn"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/messages/new", methods=["GET", "POST"])
@roles_required("curator", "administrator")
def new() -> ResponseReturnValue:
    """Register a message found in manual monitoring; a duplicate points at its case."""
    viewer = current_viewer()
    if request.method == "GET":
        return _intake_form({"channel": "feed", "source": _sources(viewer.municipality)[0]}, {})
    values = {name: request.form.get(name, "").strip() for name in INTAKE_FIELDS}
    values["official_page"] = "1" if request.form.get("official_page") else ""
    incoming, errors = _incoming(values, viewer.municipality)
    if errors:
        return _intake_form(values, errors), 422
    try:
        intake = receive_message(db.session(), db.runtime(), incoming, viewer.login)
    except InvalidMessage as error:
        return _intake_form(values, flatten_errors(error.errors)), 422
    except DuplicateMessage as duplicate:
        return _intake_form(values, {}, duplicate_of=duplicate.instance_id), 409
    except NoActiveVersion as error:
        return _intake_form(values, {"_schema": [str(error)]}), 422
    flash(gettext("The message is registered."), "info")
    return redirect(url_for("messages.card", instance_id=intake.result.instance.id))


def _incoming(
    values: dict[str, str], municipality: str
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """The intake payload from the form; the local time is read in the municipality's zone."""
    errors: dict[str, list[str]] = {}
    zone = ZoneInfo(municipality_settings(municipality, db.runtime().processes_dir).timezone)
    received = db.runtime().clock.now()
    if values["received_at"]:
        try:
            received = datetime.fromisoformat(values["received_at"]).replace(tzinfo=zone)
        except ValueError:
            errors["received_at"] = [gettext("Enter a date and time.")]
    incoming: dict[str, object] = {
        "municipality": municipality,
        "source": values["source"],
        "external_id": values["external_id"] or _external_id(values["url"]),
        "channel": values["channel"] or "feed",
        "official_page": bool(values["official_page"]),
        "author": values["author"],
        "author_id": values["author_id"] or values["author"],
        "text": values["text"],
        "url": values["url"],
        "received_at": received.isoformat(),
        "payload": {"found_by": "manual_monitoring"},
    }
    # An empty answer is a missing one, so the schema says «Обязательное поле.».
    return {key: value for key, value in incoming.items() if value != ""}, errors


def _external_id(url: str) -> str:
    """The post's link as its id; a link longer than the id column is known by its digest."""
    if len(url) <= MAX_EXTERNAL_ID:
        return url
    return "sha256:" + hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()


def _sources(municipality: str) -> tuple[str, ...]:
    return municipality_settings(municipality, db.runtime().processes_dir).sources


def _source_options(chosen: str) -> list[str]:
    # A refused source stays chosen, so the form keeps what was sent.
    options = list(_sources(current_viewer().municipality))
    return options if not chosen or chosen in options else [*options, chosen]


def _intake_form(
    values: dict[str, str], errors: dict[str, list[str]], duplicate_of: int | None = None
) -> str:
    return render_template(
        "messages/new.html",
        values=values,
        errors=errors,
        duplicate_of=duplicate_of,
        sources=_source_options(values.get("source", "")),
        channels=CHANNELS,
    )
