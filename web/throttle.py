"""Failed sign-ins per client address, limited with Flask-Limiter (the account lockout is
in engine/signin.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

LIMITED_VIEW = "auth.login"
# Refused sign-ins count against the address; a successful one does not, so colleagues
# behind one office address all sign in at nine.
REFUSED_SIGN_IN = frozenset({401, 423})


def init_app(app: Flask) -> None:
    """One limiter per app (its own storage), on POST /login."""
    limiter = Limiter(
        get_remote_address,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        strategy="moving-window",
        headers_enabled=True,
    )
    limiter.init_app(app)
    limit = limiter.limit(
        _login_limit, methods=["POST"], deduct_when=_refused, error_message=_message
    )
    limited: Any = limit(app.view_functions[LIMITED_VIEW])  # Flask-Limiter's wrapper type
    app.view_functions[LIMITED_VIEW] = limited
    app.register_error_handler(RateLimitExceeded, too_many_attempts)
    app.extensions["reglament_limiter"] = limiter


def _login_limit() -> str:
    limit: str = current_app.config["LOGIN_RATE_LIMIT"]
    return limit


def _refused(response: Response) -> bool:
    return response.status_code in REFUSED_SIGN_IN


def _message() -> str:
    return gettext("Too many failed sign-ins from your address. Please try again later.")


def too_many_attempts(_error: RateLimitExceeded) -> ResponseReturnValue:
    """The sign-in page with the refusal (429); Flask-Limiter adds Retry-After."""
    login = request.form.get("login", "").strip()
    return render_template("auth/login.html", login=login, error=_message()), 429
