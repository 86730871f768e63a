"""Staff of the municipality and substitutes for absent colleagues (Palana, п. 9)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.accounts import AccountError, municipality_users
from engine.models import User
from engine.queries import municipality_settings
from engine.roles import NAME_SUBSTITUTES
from engine.substitutions import (
    MAX_PERIOD,
    end_substitution,
    name_substitute,
    substitutions_with_state,
)
from web import db
from web.auth import ability_required, current_viewer
from web.naming import substitution_period

bp = Blueprint("team", __name__, url_prefix="/team")
# The engine's errors name the period's moments; the form names its days.
FORM_FIELDS = {"starts_at": "starts_on", "ends_at": "ends_on"}
DAY_FIELDS = ("starts_on", "ends_on")


@bp.route("/", methods=["GET"])
# Naming substitutes is administration: a substitute standing in for a head does not do it.
@ability_required(NAME_SUBSTITUTES, own=True)
def index() -> ResponseReturnValue:
    """The municipality's staff and their substitutes."""
    return _page({}, {})


@bp.route("/substitutions", methods=["POST"])
@ability_required(NAME_SUBSTITUTES, own=True)
def substitute() -> ResponseReturnValue:
    """Name a substitute for an absent colleague for a period of days."""
    viewer = current_viewer()
    values = {
        name: request.form.get(name, "").strip()
        for name in ("absent", "substitute", "starts_on", "ends_on", "reason")
    }
    absent = _colleague(values["absent"], viewer.municipality)
    substitute_user = _colleague(values["substitute"], viewer.municipality)
    errors: dict[str, list[str]] = {}
    for name, found in (("absent", absent), ("substitute", substitute_user)):
        if found is None:
            errors[name] = [gettext("Required field.")]
    days = {name: _day(values[name], errors, name) for name in DAY_FIELDS}
    starts, ends = days["starts_on"], days["ends_on"]
    if errors or absent is None or substitute_user is None or starts is None or ends is None:
        return _page(values, errors), 422
    zone = _zone()
    try:
        named = name_substitute(
            db.session(),
            absent,
            substitute_user,
            datetime.combine(starts, time(0), tzinfo=zone),
            datetime.combine(ends + timedelta(days=1), time(0), tzinfo=zone),
            values["reason"],
            now=db.runtime().clock.now(),
            actor=viewer.login,
        )
    except AccountError as error:
        return _page(values, _form_errors(error.errors)), 422
    period = substitution_period(named)
    flash(
        gettext(
            "%(substitute)s stands in for %(absent)s %(period)s.",
            substitute=substitute_user.full_name,
            absent=absent.full_name,
            period=period,
        ),
        "info",
    )
    return redirect(url_for("team.index"))


@bp.route("/substitutions/<id:substitution_id>/end", methods=["POST"])
@ability_required(NAME_SUBSTITUTES, own=True)
def end(substitution_id: int) -> ResponseReturnValue:
    """End a substitution now (an upcoming one never starts)."""
    if not end_now(substitution_id):
        return _page({}, {}), 409
    return redirect(url_for("team.index"))


def end_now(substitution_id: int) -> bool:
    """End one of the viewer's municipality's substitutions (audited), saying so; False when it
    is over already. Another municipality's is 404 (engine.substitutions)."""
    viewer = current_viewer()
    try:
        end_substitution(
            db.session(),
            substitution_id,
            viewer.municipality,
            db.runtime().clock.now(),
            viewer.login,
        )
    except AccountError:
        flash(gettext("This substitution is already over."), "error")
        return False
    flash(gettext("The substitution is ended."), "info")
    return True


def _colleague(user_id: str, municipality: str) -> User | None:
    if not user_id.isdigit() or len(user_id) > 10:
        return None
    user = db.session().get(User, int(user_id))
    return user if user is not None and user.municipality == municipality else None


def _day(value: str, errors: dict[str, list[str]], name: str) -> date | None:
    """A day of the form within a sane range around today; a field error otherwise."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = [gettext("Required field.") if not value else gettext("Enter a date.")]
        return None
    today = db.runtime().clock.now().astimezone(_zone()).date()
    earliest, latest = today - MAX_PERIOD, today + 2 * MAX_PERIOD
    if not earliest <= day <= latest:
        errors[name] = [
            gettext(
                "Enter a date from %(earliest)s to %(latest)s.",
                earliest=earliest.strftime("%d.%m.%Y"),
                latest=latest.strftime("%d.%m.%Y"),
            )
        ]
        return None
    return day


def _zone() -> ZoneInfo:
    municipality = current_viewer().municipality
    return ZoneInfo(municipality_settings(municipality, db.runtime().processes_dir).timezone)


def _form_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {FORM_FIELDS.get(name, name): messages for name, messages in errors.items()}


def _page(values: dict[str, str], errors: dict[str, list[str]]) -> str:
    viewer = current_viewer()
    now = db.runtime().clock.now()
    substitutions = substitutions_with_state(db.session(), viewer.municipality, now)
    return render_template(
        "team/index.html",
        users=municipality_users(db.session(), viewer.municipality),
        substitutions=substitutions,
        values=values,
        errors=errors,
    )
