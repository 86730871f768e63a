"""Signing in and out; every other page needs a signed-in user whose session is still valid."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import Viewer, viewer_for
from engine.accounts import AccountError, end_sessions
from engine.models import User
from engine.queries import municipality_settings
from engine.signin import LockoutPolicy, Refusal, sign_in
from engine.staff import change_own_password
from engine.substitutions import user_and_absent
from web import db

bp = Blueprint("auth", __name__)
View = TypeVar("View", bound=Callable[..., Any])


# While a reset password waits to be changed, only these answer (and the static files).
UNTIL_CHANGED = frozenset({"auth.change_password", "auth.logout", "auth.login", "static"})


@bp.before_app_request
def load_signed_in_user() -> ResponseReturnValue | None:
    """Put the signed-in user and their effective rights on `g`; a revoked session ends."""
    now = db.runtime().clock.now()
    user, absent = _session_user(now)
    g.user = user
    g.viewer = None
    if user is None:
        return None
    roles = municipality_settings(user.municipality, db.runtime().processes_dir).roles
    g.viewer = viewer_for(db.session(), user, now, roles, absent)
    if user.must_change_password and request.endpoint not in UNTIL_CHANGED:
        return redirect(url_for("auth.change_password"))
    return None


def _session_user(now: datetime) -> tuple[User | None, list[User]]:
    """The session's user (active, same epoch) and whom they stand in for at `now`."""
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None, []
    user, absent = user_and_absent(db.session(), user_id, now)
    # A cookie copied before logout, a password change or deactivation carries an old epoch.
    if user is None or not user.is_active or session.get("epoch") != user.session_epoch:
        session.clear()
        return None, []
    return user, absent


def login_required(view: View) -> View:
    """Send anonymous visitors to the sign-in page, then back."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str, own: bool = False) -> Callable[[View], View]:
    """Refuse (403) users with none of `roles`; `own` ignores roles held as a substitute."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            viewer = current_viewer()
            held = viewer.own_roles if own else viewer.roles
            if not held & set(roles):
                abort(403)
            return view(**kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def ability_required(ability: str, *, own: bool = False) -> Callable[[View], View]:
    """Refuse (403) users none of whose roles may do `ability` (the municipality's roles)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            viewer = current_viewer()
            if not viewer.registry.may(viewer.own_roles if own else viewer.roles, ability):
                abort(403)
            return view(**kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def current_viewer() -> Viewer:
    """The signed-in user's rights (views behind `login_required` only)."""
    viewer: Viewer = g.viewer
    return viewer


def safe_next(target: str | None) -> str:
    """A local path to return to; anything pointing elsewhere becomes the task list."""
    if not target or urlsplit(target).netloc or not target.startswith("/"):
        return url_for("tasks.index")
    return target


def lockout_policy() -> LockoutPolicy:
    """The account lockout from the settings."""
    return LockoutPolicy(
        max_failures=current_app.config["LOGIN_MAX_FAILURES"],
        duration=timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]),
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with login and password (limited per address and locked per account)."""
    login_name = request.form.get("login", "").strip()
    if request.method == "GET":
        return render_template("auth/login.html", login="", error=None)
    now = db.runtime().clock.now()
    attempt = sign_in(
        db.session(), login_name, request.form.get("password", ""), now, lockout_policy()
    )
    if attempt.user is not None:
        session.clear()
        session["user_id"] = attempt.user.id
        session["epoch"] = attempt.user.session_epoch
        return redirect(safe_next(request.args.get("next")))
    db.keep_changes()  # the failure count outlives the refusal
    if attempt.refusal is Refusal.LOCKED and attempt.locked_until is not None:
        error = _locked_message(attempt.locked_until, now)
        return render_template("auth/login.html", login=login_name, error=error), 423
    error = gettext("Wrong login or password.")
    return render_template("auth/login.html", login=login_name, error=error), 401


def _locked_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return gettext(
        "Too many wrong passwords: sign-in to this account is blocked for %(minutes)d min. "
        "Try again later or ask an administrator.",
        minutes=minutes,
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Choose a new password: required after a reset, before anything else works."""
    user: User = g.user
    forced = user.must_change_password
    if request.method == "GET":
        return render_template("auth/password.html", forced=forced, errors={})
    new = request.form.get("password", "")
    errors: dict[str, list[str]] = {}
    if new != request.form.get("repeat", ""):
        errors["repeat"] = [gettext("The passwords differ.")]
    current = None if forced else request.form.get("current", "")
    try:
        if not errors:
            change_own_password(db.session(), user, current, new)
    except AccountError as error:
        errors = error.errors
    if errors:
        return render_template("auth/password.html", forced=forced, errors=errors), 422
    session["epoch"] = user.session_epoch  # this session goes on; every other one has ended
    flash(gettext("Your new password is saved."), "info")
    return redirect(url_for("tasks.index"))


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Sign out: this session and every copy of its cookie stop working."""
    if g.user is not None:
        end_sessions(g.user)
    session.clear()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("auth.login"))
