"""The administrator's regulation versions: list, activate, roll back, diff, migrate cases."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from engine.drafts.store import drafts_of
from engine.models import ProcessVersion
from engine.queries import municipality_settings
from engine.versioning.activation import ActivationError, activate_now, rollback, schedule
from engine.versioning.batch import cases_to_migrate, migrate_batch, plan_for
from engine.versioning.diff import diff_versions
from engine.versioning.listing import VersionNotFound, version_by_label, version_rows
from web import db
from web.auth import current_viewer, roles_required
from web.i18n import when

bp = Blueprint("versions", __name__, url_prefix="/versions")
ADMINS = ("administrator",)
NOT_CONFIRMED = "Действие не выполнено: отметьте «Подтверждаю»."


@bp.route("/")
@roles_required(*ADMINS, own=True)
def index() -> ResponseReturnValue:
    """The municipality's versions in version order, with what can be done to each."""
    municipality = current_viewer().municipality
    rows = version_rows(db.session(), municipality)
    drafts = drafts_of(db.session(), municipality)  # edited in the modeler, not deployed yet
    return render_template("versions/index.html", rows=rows, drafts=drafts)


@bp.route("/activate", methods=["POST"])
@roles_required(*ADMINS, own=True)
def activate() -> ResponseReturnValue:
    """Activate a version now, or from a local date and time (the worker switches)."""
    viewer = current_viewer()
    if not request.form.get("confirm"):
        return _refused(NOT_CONFIRMED)
    session, now = db.session(), db.runtime().clock.now()
    version = _version(request.form.get("label", ""))
    at_text = request.form.get("at", "").strip()
    if not at_text:
        if version.is_active:
            return _refused(f"Версия «{version.label}» уже действующая.")
        activate_now(session, version, viewer.login, now)
        flash(f"Версия «{version.label}» введена в действие.", "info")
        return redirect(url_for("versions.index"))
    try:
        local = datetime.fromisoformat(at_text)
    except ValueError:
        return _refused(f"«{at_text}» — не дата и время (ГГГГ-ММ-ДДTЧЧ:ММ).")
    zone = ZoneInfo(municipality_settings(viewer.municipality, db.runtime().processes_dir).timezone)
    moment = local.replace(tzinfo=zone) if local.tzinfo is None else local
    schedule(session, version, viewer.login, now, moment)
    flash(f"Версия «{version.label}» станет действующей {at_text.replace('T', ' ')}.", "info")
    return redirect(url_for("versions.index"))


@bp.route("/rollback", methods=["POST"])
@roles_required(*ADMINS, own=True)
def roll_back() -> ResponseReturnValue:
    """Back to the previously active version (audited with the actor)."""
    viewer = current_viewer()
    if not request.form.get("confirm"):
        return _refused(NOT_CONFIRMED)
    try:
        rollback(db.session(), viewer.municipality, viewer.login, db.runtime().clock.now())
    except ActivationError as error:
        return _refused(str(error))
    flash("Откат на предыдущую версию выполнен.", "info")
    return redirect(url_for("versions.index"))


@bp.route("/diff")
@roles_required(*ADMINS, own=True)
def diff() -> ResponseReturnValue:
    """What version B changes against A, in legal terms, with element ids."""
    old = _version(request.args.get("a", ""))
    new = _version(request.args.get("b", ""))
    found = diff_versions(old, new)
    marks = {
        "added": sorted(found.element_ids("added")),
        "removed": sorted(found.element_ids("removed")),
        "changed": sorted(found.element_ids("changed") | found.element_ids("renamed")),
    }
    return render_template("versions/diff.html", diff=found, marks=marks)


@bp.route("/<label>/diagram.bpmn")
@roles_required(*ADMINS, own=True)
def diagram(label: str) -> ResponseReturnValue:
    """A version's BPMN XML for the diff's viewers: a download, never a page."""
    version = _version(label)
    response = Response(version.bpmn_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{version.label}.bpmn"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/migrate", methods=["GET", "POST"])
@roles_required(*ADMINS, own=True)
def migrate() -> ResponseReturnValue:
    """GET: the dry-run report of moving running cases A → B; POST (confirmed): the real run."""
    viewer = current_viewer()
    source = request.values
    old_label, new_label = source.get("from", ""), source.get("to", "")
    _version(old_label), _version(new_label)  # 404 for a label of no version of this town
    recompute = bool(source.get("recompute"))
    real = request.method == "POST"
    if real and not request.form.get("confirm"):
        return _refused(NOT_CONFIRMED)
    plan = plan_for(db.session(), viewer.municipality, old_label, new_label, recompute=recompute)
    ids = cases_to_migrate(db.session(), plan)
    verdicts = migrate_batch(db.sessions(), db.runtime(), plan, ids, viewer.login, dry_run=not real)
    return render_template(
        "versions/migrate.html", plan=plan, verdicts=verdicts, real=real, recompute=recompute
    )


@bp.app_template_filter("iso_when")
def iso_when(text: str) -> str:
    """A stored ISO moment shown as the rest of the UI shows moments (the town's zone)."""
    return when(datetime.fromisoformat(text))


def _version(label: str) -> ProcessVersion:
    try:
        return version_by_label(db.session(), current_viewer().municipality, label)
    except VersionNotFound:
        abort(404)


def _refused(text: str) -> ResponseReturnValue:
    flash(text, "error")
    rows = version_rows(db.session(), current_viewer().municipality)
    return render_template("versions/index.html", rows=rows), 400
