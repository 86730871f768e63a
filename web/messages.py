"""The message registry, the case card with its diagram, and manual intake (Palana, п. 8)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import require_instance
from engine.attachments import visible_attachments
from engine.intake import CHANNELS, DuplicateMessage, InvalidMessage, receive_message
from engine.intake_forms import MANUAL_FIELDS, manual_intake_message
from engine.models import ProcessVersion
from engine.queries import MessageFilter, case_card, municipality_settings, search, sources
from engine.recovery import InstanceNotParked, retry_case
from engine.roles import ENTER_MESSAGES
from engine.statuses import InstanceStatus
from engine.versions import NoActiveVersion
from web import db
from web.attachments import file_names
from web.auth import ability_required, current_viewer, login_required, roles_required
from web.forms import flatten_errors

bp = Blueprint("messages", __name__)


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
    return _render_card(instance_id)


def _render_card(instance_id: int) -> str:
    viewer = current_viewer()
    found = case_card(db.session(), db.runtime(), viewer, instance_id)
    return render_template(
        "messages/card.html",
        card=found,
        case_files=visible_attachments(db.session(), viewer, instance_id),
        file_names=file_names(instance_id),
    )


@bp.route("/cases/<id:instance_id>/retry", methods=["POST"])
@roles_required("administrator")
def retry(instance_id: int) -> ResponseReturnValue:
    """Resume a case parked by an error of its regulation (audited); it advances at once."""
    viewer = current_viewer()
    require_instance(db.session(), viewer, instance_id)
    try:
        result = retry_case(db.session(), db.runtime(), instance_id, viewer.login)
    except InstanceNotParked:
        flash(gettext("The case is not stopped: there is nothing to resume."), "error")
        return _render_card(instance_id), 409
    if result.parked_again:
        flash(gettext("The regulation failed again; the case stays stopped."), "error")
    else:
        flash(gettext("The case is resumed."), "info")
    return redirect(url_for("messages.card", instance_id=instance_id))


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
@ability_required(ENTER_MESSAGES)
def new() -> ResponseReturnValue:
    """Register a message found in manual monitoring; a duplicate points at its case."""
    viewer = current_viewer()
    if request.method == "GET":
        return _intake_form({"channel": "feed", "source": _sources(viewer.municipality)[0]}, {})
    # The form's fields are the engine's (a scenario enters a message the same way).
    values = {name: request.form.get(name, "").strip() for name in MANUAL_FIELDS}
    values["official_page"] = "1" if values["official_page"] else ""
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
    zone = ZoneInfo(municipality_settings(municipality, db.runtime().processes_dir).timezone)
    try:
        return manual_intake_message(values, municipality, zone, db.runtime().clock.now()), {}
    except InvalidMessage as error:
        return {}, error.errors


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
