"""Staff of the municipality and substitutes for absent colleagues (Palana, п. 9)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.accounts import AccountError, municipality_users, name_substitute, substitutions_of
from engine.models import User
from engine.queries import municipality_settings
from web import db
from web.auth import current_viewer, roles_required

bp = Blueprint("team", __name__, url_prefix="/team")
MANAGERS = ("head", "administrator")


@bp.route("/", methods=["GET"])
@roles_required(*MANAGERS)
def index() -> ResponseReturnValue:
    """The municipality's staff and their substitutes."""
    return _page({}, {})


@bp.route("/substitutions", methods=["POST"])
@roles_required(*MANAGERS)
def substitute() -> ResponseReturnValue:
    """Name a substitute for an absent colleague for a period of days."""
    viewer = current_viewer()
    values = {
        name: request.form.get(name, "").strip()
        for name in ("absent", "substitute", "starts_on", "ends_on", "reason")
    }
    errors: dict[str, list[str]] = {}
    absent = _colleague(values["absent"], viewer.municipality)
    substitute_user = _colleague(values["substitute"], viewer.municipality)
    starts, ends = _day(values["starts_on"]), _day(values["ends_on"])
    for name, found in (
        ("absent", absent),
        ("substitute", substitute_user),
        ("starts_on", starts),
        ("ends_on", ends),
    ):
        if found is None:
            errors[name] = [gettext("Required field.")]
    if errors or absent is None or substitute_user is None or starts is None or ends is None:
        return _page(values, errors), 422
    zone = ZoneInfo(municipality_settings(viewer.municipality, db.runtime().processes_dir).timezone)
    try:
        name_substitute(
            db.session(),
            absent,
            substitute_user,
            datetime.combine(starts, time(0), tzinfo=zone),
            datetime.combine(ends + timedelta(days=1), time(0), tzinfo=zone),
            values["reason"],
        )
    except AccountError as error:
        return _page(values, error.errors), 422
    flash(gettext("The substitute is named."), "info")
    return redirect(url_for("team.index"))


def _colleague(user_id: str, municipality: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session().get(User, int(user_id))
    return user if user is not None and user.municipality == municipality else None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _page(values: dict[str, str], errors: dict[str, list[str]]) -> str:
    viewer = current_viewer()
    return render_template(
        "team/index.html",
        users=municipality_users(db.session(), viewer.municipality),
        substitutions=substitutions_of(db.session(), viewer.municipality),
        values=values,
        errors=errors,
    )
