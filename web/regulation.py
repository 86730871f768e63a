"""The regulation report for administrators: clause by clause, what the active version does."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue

from engine.report import active_report, render_html
from engine.versions import NoActiveVersion
from web import db
from web.auth import current_viewer, roles_required

bp = Blueprint("regulation", __name__, url_prefix="/regulation")
# Administrators, and legal staff once accounts know a `legal` role (engine.accounts.ROLES has
# none yet): add it here then.
REPORT_ROLES = ("administrator",)


@bp.route("/")
@roles_required(*REPORT_ROLES)
def report() -> ResponseReturnValue:
    """The active version's report, printable from the browser."""
    viewer = current_viewer()
    try:
        found = active_report(db.session(), db.runtime(), viewer.municipality)
    except NoActiveVersion as error:
        return render_template("regulation/report.html", report=None, problem=str(error)), 404
    return render_template("regulation/report.html", report=found, problem=None)


@bp.route("/report.html")
@roles_required(*REPORT_ROLES)
def download() -> ResponseReturnValue:
    """The same report as one self-contained HTML file, a download (its style is inline)."""
    viewer = current_viewer()
    try:
        found = active_report(db.session(), db.runtime(), viewer.municipality)
    except NoActiveVersion as error:
        return render_template("regulation/report.html", report=None, problem=str(error)), 404
    response = Response(render_html(found), mimetype="text/html")
    name = f"regulation-{found.municipality}-{found.label}.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
