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
from engine.versioning.batch import (
    MappingError,
    cases_to_migrate,
    mapping_problems,
    migrate_batch,
    parse_mapping,
    plan_for,
)
from engine.versioning.diff import diff_versions
from engine.versioning.listing import VersionNotFound, version_by_label, version_rows
from engine.versioning.runs import RunRefused, RunView, recent_runs, request_run, run_view
from web import db
from web.auth import current_viewer, roles_required
from web.i18n import when

bp = Blueprint("versions", __name__, url_prefix="/versions")
ADMINS = ("administrator",)
NOT_CONFIRMED = "Действие не выполнено: отметьте «Подтверждаю»."
INLINE_CASES = 50  # up to this many, the dry run answers in the request; beyond, the worker


@bp.route("/")
@roles_required(*ADMINS, own=True)
def index() -> ResponseReturnValue:
    """The municipality's versions in version order, with what can be done to each."""
    municipality = current_viewer().municipality
    rows = version_rows(db.session(), municipality)
    runs = recent_runs(db.session(), municipality)
    drafts = drafts_of(db.session(), municipality)  # edited in the modeler, not deployed yet
    return render_template("versions/index.html", rows=rows, runs=runs, drafts=drafts)


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


@bp.route("/migrate")
@roles_required(*ADMINS, own=True)
def migrate() -> ResponseReturnValue:
    """The dry-run report of moving running cases A → B (a worker run for a large batch)."""
    viewer = current_viewer()
    old_label, new_label = request.args.get("from", ""), request.args.get("to", "")
    _version(old_label), _version(new_label)  # 404 for a label of no version of this town
    recompute = bool(request.args.get("recompute"))
    mapping_text = request.args.get("mapping", "")
    try:
        mapping = parse_mapping(mapping_text)
    except MappingError as error:
        return _refused(f"{error}.")
    plan = plan_for(
        db.session(), viewer.municipality, old_label, new_label, mapping, recompute=recompute
    )
    problems = mapping_problems(plan)
    if problems:
        return _refused(f"Соответствие шагов: {'; '.join(problems)}.")
    ids = cases_to_migrate(db.session(), plan)
    verdicts = None
    if len(ids) <= INLINE_CASES:  # a few cases: the report at once, in this request
        verdicts = migrate_batch(db.sessions(), db.runtime(), plan, ids, viewer.login, dry_run=True)
    return render_template(
        "versions/migrate.html",
        plan=plan,
        verdicts=verdicts,
        cases=len(ids),
        recompute=recompute,
        mapping_text=mapping_text if mapping else "",
    )


@bp.route("/migrate", methods=["POST"])
@roles_required(*ADMINS, own=True)
def queue_migration() -> ResponseReturnValue:
    """Queue a run for the worker (a real one needs «Подтверждаю»); its page shows progress."""
    viewer = current_viewer()
    form = request.form
    dry_run = bool(form.get("dry_run"))
    if not dry_run and not form.get("confirm"):
        return _refused(NOT_CONFIRMED)
    old_label, new_label = form.get("from", ""), form.get("to", "")
    _version(old_label), _version(new_label)
    try:
        mapping = parse_mapping(form.get("mapping", ""))
    except MappingError as error:
        return _refused(f"{error}.")
    try:
        run = request_run(
            db.session(),
            viewer.municipality,
            old_label,
            new_label,
            viewer.login,
            db.runtime().clock.now(),
            dry_run=dry_run,
            recompute=bool(form.get("recompute")),
            mapping=mapping,
        )
    except RunRefused as refusal:
        return _refused(str(refusal), 409 if refusal.conflict else 400)
    return redirect(url_for("versions.migration", run_id=run.id), code=303)


@bp.route("/migrations/<int:run_id>")
@roles_required(*ADMINS, own=True)
def migration(run_id: int) -> ResponseReturnValue:
    """A queued run: done / total / failed and the verdicts so far, refreshing itself."""
    return render_template("versions/run.html", view=_run(run_id))


@bp.route("/migrations/<int:run_id>/progress")
@roles_required(*ADMINS, own=True)
def migration_progress(run_id: int) -> ResponseReturnValue:
    """The run's progress alone, for the page's periodic refresh."""
    return render_template("versions/_run_progress.html", view=_run(run_id))


@bp.app_template_filter("iso_when")
def iso_when(text: str) -> str:
    """A stored ISO moment shown as the rest of the UI shows moments (the town's zone)."""
    return when(datetime.fromisoformat(text))


def _version(label: str) -> ProcessVersion:
    try:
        return version_by_label(db.session(), current_viewer().municipality, label)
    except VersionNotFound:
        abort(404)


def _run(run_id: int) -> RunView:
    view = run_view(db.session(), current_viewer().municipality, run_id)
    if view is None:  # no such run, or another town's
        abort(404)
    return view


def _refused(text: str, status: int = 400) -> ResponseReturnValue:
    flash(text, "error")
    municipality = current_viewer().municipality
    rows = version_rows(db.session(), municipality)
    runs = recent_runs(db.session(), municipality)
    return render_template("versions/index.html", rows=rows, runs=runs), status
