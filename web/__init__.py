"""The staff web UI: a Flask application built by `create_app`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from engine.access import AccessDenied, NotFound
from engine.staff import UserNotFound
from engine.substitutions import SubstitutionNotFound
from web.config import WebSettings

# Row ids are PostgreSQL INTEGERs: a larger number in a URL names nothing (404, not 500).
MAX_ROW_ID = 2**31 - 1


class RowId(IntegerConverter):
    """`<id:name>`: a positive integer that fits a row id."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by `config` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(WebSettings.from_env().flask_config())
    if config:
        app.config.from_mapping(config)
    app.config["PROCESSES_DIR"] = Path(app.config["PROCESSES_DIR"])

    from web import (
        assignment,
        attachments,
        auth,
        channels,
        i18n,
        imports,
        messages,
        modeler,
        notices,
        people,
        regulation,
        reports,
        security,
        tasks,
        team,
        templating,
        throttle,
        version_upload,
        versions,
    )
    from web.db import database
    from web.extensions import csrf

    security.check_secret(app)
    app.url_map.converters["id"] = RowId
    security.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    for blueprint in (auth.bp, tasks.bp, messages.bp, notices.bp, team.bp, regulation.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(channels.bp)  # channel webhooks (adapters/): no sign-in, own secrets
    app.register_blueprint(imports.bp)  # ИМ/ПОС exports uploaded by curators
    app.register_blueprint(versions.bp)  # the administrator's regulation versions
    app.register_blueprint(version_upload.bp)
    app.register_blueprint(modeler.bp)  # legal staff and administrators edit draft versions
    app.register_blueprint(reports.bp)
    app.register_blueprint(assignment.bp)  # curators, heads, admins give tasks to colleagues
    app.register_blueprint(people.bp)  # the administrator's people pages
    app.register_blueprint(attachments.bp)  # files on steps, served with the case's rights
    from web import comments, inbox

    app.register_blueprint(comments.bp)  # internal notes on a case, with mentions
    app.register_blueprint(inbox.bp)  # each user's notices, the header's counter, mail choices
    throttle.init_app(app)
    _register_errors(app)
    from web import api, publishing

    api.init_app(app)  # the REST API; its errors under /api/ are problem details
    publishing.init_app(app)
    app.register_blueprint(publishing.bp)
    return app


def _register_errors(app: Flask) -> None:
    def bad_request(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/400.html"), 400

    def not_found(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/404.html"), 404

    def forbidden(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/403.html"), 403

    def too_large(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/413.html"), 413

    def stale_form(_error: Exception) -> ResponseReturnValue:
        return render_template("errors/csrf.html"), 400

    app.register_error_handler(400, bad_request)
    app.register_error_handler(413, too_large)  # more files than MAX_CONTENT_LENGTH at once
    app.register_error_handler(CSRFError, stale_form)
    app.register_error_handler(NotFound, not_found)
    app.register_error_handler(SubstitutionNotFound, not_found)
    app.register_error_handler(UserNotFound, not_found)
    app.register_error_handler(404, not_found)
    app.register_error_handler(AccessDenied, forbidden)
    app.register_error_handler(403, forbidden)
