"""Signing in and out; every other page needs a signed-in user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.access import Viewer, viewer_for
from engine.accounts import authenticate, get_user
from web import db

bp = Blueprint("auth", __name__)
View = TypeVar("View", bound=Callable[..., Any])


@bp.before_app_request
def load_signed_in_user() -> None:
    """Put the signed-in user and their effective rights on `g`."""
    user_id = session.get("user_id")
    user = get_user(db.session(), user_id) if user_id is not None else None
    g.user = user
    g.viewer = viewer_for(db.session(), user, db.runtime().clock.now()) if user else None


def login_required(view: View) -> View:
    """Send anonymous visitors to the sign-in page, then back."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[View], View]:
    """Refuse (403) users with none of `roles`."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_viewer().roles & set(roles):
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


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with login and password."""
    login_name = request.form.get("login", "").strip()
    if request.method == "POST":
        user = authenticate(db.session(), login_name, request.form.get("password", ""))
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            return redirect(safe_next(request.args.get("next")))
        error = gettext("Wrong login or password.")
        return render_template("auth/login.html", login=login_name, error=error), 401
    return render_template("auth/login.html", login="", error=None)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Sign out."""
    session.clear()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("auth.login"))
