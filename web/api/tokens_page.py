"""The administrators' page of REST API tokens: create one (shown once), revoke one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.api_tokens import TokenError, create_token, revoke_token, tokens_of
from web import db
from web.auth import current_viewer, roles_required

bp = Blueprint("api_tokens", __name__)


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@roles_required("administrator", own=True)
def index() -> ResponseReturnValue:
    """The municipality's tokens; a POST creates one and shows its value this once."""
    viewer = current_viewer()
    created, error = None, None
    if request.method == "POST":
        try:
            created = create_token(
                db.session(),
                db.runtime(),
                request.form.get("name", ""),
                viewer.municipality,
                viewer.login,
            ).plain
        except TokenError as refused:
            error = str(refused)
    page = render_template(
        "api/tokens.html",
        tokens=tokens_of(db.session(), viewer.municipality),
        created=created,
        error=error,
    )
    # The value is never kept: the page that shows it must not be cached either.
    return page, 422 if error else 200, {"Cache-Control": "no-store"}


@bp.route("/admin/api-tokens/<id:token_id>/revoke", methods=["POST"])
@roles_required("administrator", own=True)
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke a token of the administrator's municipality."""
    viewer = current_viewer()
    try:
        revoke_token(db.session(), db.runtime(), token_id, viewer.login, viewer.municipality)
    except TokenError:
        abort(404)
    flash(gettext("The token is revoked."), "info")
    return redirect(url_for("api_tokens.index"))
