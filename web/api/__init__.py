"""The REST API (flask-smorest): OpenAPI 3 at /api/openapi.json, its page at /api/docs.

Bearer tokens per integration (`reglament token create`, the administrators' page), scoped to
one municipality; errors are problem details (problems.py). Reference: docs/api.md.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, make_response, render_template
from flask_smorest import Api

from engine.incoming import IncomingMessageSchema
from web.api import cases, messages, problems, tokens_page
from web.db import extension_state

API_VERSION = "1"
docs_bp = Blueprint("api_docs_page", __name__)
# Swagger UI sets styles on its elements: only this page allows inline styles.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class ReglamentApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler (problems.py owns /api/)."""

    def _register_error_handlers(self) -> None:
        pass


def init_app(app: Flask) -> None:
    """Register the API, its spec, its docs page and its error handling on the app."""
    from web.extensions import csrf

    app.config.update(
        API_TITLE="Reglament API",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = ReglamentApi(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    from web import MAX_ROW_ID, RowId

    id_schema = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
    api.register_converter(RowId, lambda _converter: id_schema)
    runtime = extension_state(app)["runtime"]
    api.spec.components.schema("IncomingMessage", schema=_incoming_schema(runtime))
    for blueprint in (messages.blp, cases.blp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # bearer tokens, no cookies: nothing to forge across sites
    app.register_blueprint(docs_bp)
    app.register_blueprint(tokens_page.bp)
    problems.install(app)


def _incoming_schema(runtime: Any) -> IncomingMessageSchema:
    schema = IncomingMessageSchema(runtime)
    schema.fields["municipality"].required = False  # the token's, when left out
    return schema


@docs_bp.route("/api/docs")
def docs() -> Any:
    """Swagger UI on the spec, from web/static/vendor (no CDN)."""
    response = make_response(render_template("api/docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response
