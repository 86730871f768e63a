"""What every response and request goes through: the secret, security headers, proxies, NUL."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("reglament.web")
MIN_SECRET_LENGTH = 32
# Values seen in examples and earlier defaults: a session signed with one can be forged.
KNOWN_SECRETS = frozenset({"dev", "test", "secret", "changeme", "change-me", "reglament"})
# Pages load scripts, styles, fonts and images from this server only (bpmn-js and htmx are
# served from web/static/vendor); bpmn-js draws its logo from a data: image.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SecretKeyError(RuntimeError):
    """The app refuses to start: sessions would be signed with a missing or guessable key."""


def check_secret(app: Flask) -> None:
    """Refuse a missing, short or known secret outside the demo; the demo gets a random one."""
    secret = app.config.get("SECRET_KEY") or ""
    if app.config.get("DEMO"):
        if not secret:
            app.config["SECRET_KEY"] = secrets.token_hex(32)
            log.info("demo mode: sessions signed with a random key until the server stops")
        return
    problem = _secret_problem(str(secret))
    if problem:
        raise SecretKeyError(
            f"REGLAMENT_SECRET_KEY {problem}: set it to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`; "
            "only the demo (REGLAMENT_DEMO=1, `make run`) starts without one"
        )


def _secret_problem(secret: str) -> str | None:
    if not secret:
        return "is not set"
    if secret.strip().lower() in KNOWN_SECRETS:
        return "is a known example value"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    return None


def init_app(app: Flask) -> None:
    """Trust the configured proxies, refuse NUL characters, add the security headers."""
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        # Only the headers a proxy sets are trusted: the client address and the scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.before_request(refuse_nul)
    app.after_request(add_headers)


def refuse_nul() -> None:
    """400 for a NUL in the path, the query or a form: no database stores it (PostgreSQL)."""
    values = [request.path]
    for pairs in (request.args, request.form):
        for key, value in pairs.items(multi=True):
            values.extend((key, value))
    if any("\x00" in value for value in values):
        abort(400)


def add_headers(response: Response) -> Response:
    """The security headers on every response."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
