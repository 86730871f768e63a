"""The administrator's people pages: accounts of the municipality and their substitutions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.accounts import AccountError, municipality_users
from engine.models import User
from engine.queries import municipality_settings
from engine.roles import MANAGE_PEOPLE
from engine.staff import (
    AccountFields,
    Staffing,
    UserNotFound,
    account_history,
    account_of,
    add_account,
    close_account,
    edit_account,
    reopen_account,
    reset_password,
)
from engine.substitutions import substitutions_with_state
from web import db, municipality
from web.auth import ability_required, current_viewer
from web.team import end_now

bp = Blueprint("people", __name__, url_prefix="/people")
TEXT_FIELDS = ("login", "full_name", "department", "email")


@bp.route("/", methods=["GET"])
@ability_required(MANAGE_PEOPLE, own=True)
def index() -> ResponseReturnValue:
    """Every account of the municipality and every substitution."""
    viewer = current_viewer()
    now = db.runtime().clock.now()
    substitutions = substitutions_with_state(db.session(), viewer.municipality, now)
    return render_template(
        "people/index.html",
        users=municipality_users(db.session(), viewer.municipality),
        substitutions=substitutions,
    )


@bp.route("/new", methods=["GET", "POST"])
@ability_required(MANAGE_PEOPLE, own=True)
def new() -> ResponseReturnValue:
    """Create an account; its owner chooses a password of their own at first sign-in."""
    if request.method == "GET":
        return _form(None, {"roles": []}, {})
    values = _values()
    try:
        user = add_account(
            db.session(),
            _fields(values),
            request.form.get("password", ""),
            _staffing(),
            now=db.runtime().clock.now(),
            actor=current_viewer().login,
        )
    except AccountError as error:
        return _form(None, values, error.errors), 422
    flash(gettext("The account %(name)s is created.", name=user.full_name), "info")
    return redirect(url_for("people.index"))


@bp.route("/<id:user_id>", methods=["GET", "POST"])
@ability_required(MANAGE_PEOPLE, own=True)
def edit(user_id: int) -> ResponseReturnValue:
    """Change an account's name, roles, department and mail address."""
    user = _account(user_id)
    if request.method == "GET":
        return _form(user, _current(user), {})
    values = {**_values(), "login": user.login}
    try:
        edit_account(
            db.session(),
            user,
            _fields(values),
            _staffing(),
            now=db.runtime().clock.now(),
            actor=current_viewer().login,
        )
    except AccountError as error:
        return _form(user, values, error.errors), 422
    flash(gettext("The account %(name)s is saved.", name=user.full_name), "info")
    return redirect(url_for("people.index"))


@bp.route("/<id:user_id>/password", methods=["POST"])
@ability_required(MANAGE_PEOPLE, own=True)
def password(user_id: int) -> ResponseReturnValue:
    """Give a temporary password: the owner must choose a new one at the next sign-in."""
    user = _account(user_id)
    try:
        reset_password(
            db.session(),
            user,
            request.form.get("temporary", ""),
            now=db.runtime().clock.now(),
            actor=current_viewer().login,
        )
    except AccountError as error:
        errors = {"temporary": error.errors.get("password", [])}
        return _form(user, _current(user), errors), 422
    flash(gettext("The password of %(name)s is reset.", name=user.full_name), "info")
    return redirect(url_for("people.edit", user_id=user.id))


@bp.route("/<id:user_id>/deactivate", methods=["POST"])
@ability_required(MANAGE_PEOPLE, own=True)
def deactivate(user_id: int) -> ResponseReturnValue:
    """Close an account: it cannot sign in and its sessions end."""
    user = _account(user_id)
    try:
        close_account(
            db.session(), user, now=db.runtime().clock.now(), actor=current_viewer().login
        )
    except AccountError as error:
        return _form(user, _current(user), error.errors), 409
    flash(gettext("The account %(name)s is closed.", name=user.full_name), "info")
    return redirect(url_for("people.index"))


@bp.route("/<id:user_id>/activate", methods=["POST"])
@ability_required(MANAGE_PEOPLE, own=True)
def activate(user_id: int) -> ResponseReturnValue:
    """Open a closed account again."""
    user = _account(user_id)
    reopen_account(db.session(), user, now=db.runtime().clock.now(), actor=current_viewer().login)
    flash(gettext("The account %(name)s is open again.", name=user.full_name), "info")
    return redirect(url_for("people.index"))


@bp.route("/substitutions/<id:substitution_id>/end", methods=["POST"])
@ability_required(MANAGE_PEOPLE, own=True)
def end(substitution_id: int) -> ResponseReturnValue:
    """End a substitution now (audited); another municipality's is 404."""
    if not end_now(substitution_id):
        return redirect(url_for("people.index")), 303
    return redirect(url_for("people.index"))


def _account(user_id: int) -> User:
    return account_of(db.session(), user_id, current_viewer().municipality)


def _values() -> dict[str, object]:
    values: dict[str, object] = {name: request.form.get(name, "").strip() for name in TEXT_FIELDS}
    values["roles"] = request.form.getlist("roles")
    return values


def _current(user: User) -> dict[str, object]:
    return {
        "login": user.login,
        "full_name": user.full_name,
        "department": user.department or "",
        "email": user.email or "",
        "roles": list(user.roles),
    }


def _fields(values: dict[str, object]) -> AccountFields:
    roles = values["roles"]
    return AccountFields(
        login=str(values["login"]),
        full_name=str(values["full_name"]),
        roles=[str(role) for role in roles] if isinstance(roles, list) else [],
        department=str(values["department"]) or None,
        email=str(values["email"]) or None,
    )


def _staffing() -> Staffing:
    name = current_viewer().municipality
    settings = municipality_settings(name, db.runtime().processes_dir)
    departments = tuple(department.id for department in settings.departments)
    return Staffing(municipality=name, roles=settings.roles, departments=departments)


def _form(user: User | None, values: dict[str, object], errors: dict[str, list[str]]) -> str:
    viewer = current_viewer()
    return render_template(
        "people/form.html",
        account=user,
        history=account_history(db.session(), user) if user else [],
        values=values,
        errors=errors,
        roles=[(role, viewer.registry.name(role)) for role in viewer.registry.ids],
        departments=municipality.department_choices(viewer.municipality),
    )


__all__ = ["UserNotFound", "bp"]
