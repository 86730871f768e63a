"""The in-browser modeler: legal staff and administrators edit draft versions of a regulation."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from lxml import etree

from engine.bpmn.parsing import DeployError
from engine.drafts.checking import live_check
from engine.drafts.compare import draft_version
from engine.drafts.meta import deadline_rows, element_clauses, version_meta
from engine.drafts.store import (
    DraftError,
    StaleDraft,
    create_draft,
    deploy_draft,
    draft_by_label,
    draft_files,
    drafts_of,
    edited_draft,
    folder_bpmn,
    folder_labels,
    run_draft_scenarios,
    save_draft,
)
from engine.drafts.table_edit import set_terms
from engine.models import ProcessVersion, VersionDraft
from engine.versioning.diff import diff_versions
from engine.versioning.listing import VersionNotFound, version_by_label, version_rows
from engine.versions import VersionFiles
from web import db
from web.auth import current_viewer, roles_required
from web.security import CONTENT_SECURITY_POLICY
from web.version_upload import LABEL

bp = Blueprint("modeler", __name__, url_prefix="/modeler")
EDITORS = ("administrator", "legal")
MAX_XML_BYTES = 2 * 1024 * 1024  # a diagram is kilobytes; more is a wrong file
MAX_FORMS_CHARS = 200_000  # forms.yaml is a few kilobytes
# The properties panel and its icons write these style attributes in HTML it parses; the editor's
# pages allow exactly these values ('unsafe-hashes'), never inline styles in general.
PANEL_STYLES = (
    "height: 100%",
    "flex: none; height: auto",
    "fill:none;stroke:currentColor;stroke-width:100;",
    "fill:currentColor;stroke:currentColor;stroke-width:100;opacity:.5;",
    "fill:none;stroke:currentColor;stroke-width:100;stroke-linejoin:round;",
    "stroke:currentColor;stroke-width:100;stroke-linecap:round;",
)


def _style_hash(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


EDITOR_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'",
    "style-src 'self' 'unsafe-hashes' " + " ".join(_style_hash(v) for v in PANEL_STYLES),
)


@bp.after_request
def _editor_policy(response: Response) -> Response:
    """The security policy with the properties panel's own style attributes allowed."""
    response.headers["Content-Security-Policy"] = EDITOR_POLICY
    return response


@bp.route("/")
@roles_required(*EDITORS, own=True)
def index() -> ResponseReturnValue:
    """The drafts of the municipality and the version folders a new draft can start from."""
    municipality = current_viewer().municipality
    folders = folder_labels(db.runtime().processes_dir, municipality)
    return render_template(
        "modeler/index.html", drafts=drafts_of(db.session(), municipality), folders=folders
    )


@bp.route("/drafts", methods=["POST"])
@roles_required(*EDITORS, own=True)
def new_draft() -> ResponseReturnValue:
    """A draft copied from a version folder, under a new label."""
    viewer = current_viewer()
    base, label = request.form.get("base", ""), request.form.get("label", "").strip()
    bpmn = folder_bpmn(db.runtime().processes_dir, viewer.municipality, base)
    if bpmn is None:
        abort(404)
    if not LABEL.match(label):
        return _index_refused(_("Draft name: Latin letters, digits, dot, dash (for example, v2)."))
    files = VersionFiles.read(bpmn, db.runtime().processes_dir)
    try:
        create_draft(db.session(), viewer.municipality, files, base, label, viewer.login, _now())
    except DraftError as error:
        return _index_refused(str(error))
    return redirect(url_for("modeler.edit", label=label))


@bp.route("/<label>")
@roles_required(*EDITORS, own=True)
def edit(label: str) -> ResponseReturnValue:
    """The modeler page of one draft."""
    draft = _draft(label)
    meta = version_meta(draft, db.runtime().processes_dir)
    deployed = [row.label for row in version_rows(db.session(), draft.municipality)]
    return render_template("modeler/edit.html", draft=draft, meta=meta, deployed=deployed)


@bp.route("/<label>/diff")
@roles_required(*EDITORS, own=True)
def diff(label: str) -> ResponseReturnValue:
    """What the draft changes against a deployed version, in legal terms (the versions diff)."""
    draft = _draft(label)
    old = _version(request.args.get("a", ""))
    try:
        new = draft_version(draft, db.runtime())
    except DeployError as error:
        return _index_refused(
            _("The draft cannot be compared until deploy accepts it: %(e)s", e=str(error))
        )
    found = diff_versions(old, new)
    marks = {
        "added": sorted(found.element_ids("added")),
        "removed": sorted(found.element_ids("removed")),
        "changed": sorted(found.element_ids("changed") | found.element_ids("renamed")),
    }
    urls = {
        "old_xml_url": url_for("modeler.version_diagram", version=old.label),
        "new_xml_url": url_for("modeler.diagram", label=draft.label),
        "back_url": url_for("modeler.edit", label=draft.label),
    }
    return render_template("versions/diff.html", diff=found, marks=marks, **urls)


@bp.route("/versions/<version>.bpmn")
@roles_required(*EDITORS, own=True)
def version_diagram(version: str) -> ResponseReturnValue:
    """A deployed version's XML for the draft diff's viewer (the editors' own route)."""
    return _xml_download(_version(version).bpmn_xml, f"{version}.bpmn")


@bp.route("/<label>/diagram.bpmn")
@roles_required(*EDITORS, own=True)
def diagram(label: str) -> ResponseReturnValue:
    """The draft's saved XML (a download, never a page)."""
    draft = _draft(label)
    return _xml_download(draft.bpmn_xml, draft.filename)


def _xml_download(xml: str, filename: str) -> Response:
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<label>/check", methods=["POST"])
@roles_required(*EDITORS, own=True)
def check(label: str) -> ResponseReturnValue:
    """Every deploy check on the diagram being edited (nothing stored): problems by element id."""
    draft = _draft(label)
    xml, texts, forms = _body()
    try:
        table = _table(draft, texts)
    except DraftError as error:
        return jsonify({"accepted": False, "problems": [_problem(str(error))], "warnings": []})
    saved = draft_files(draft, db.runtime().processes_dir)
    files = VersionFiles(
        xml,
        saved.filename,
        forms.encode("utf-8") if forms is not None else saved.forms_yaml,
        table.encode("utf-8") if table is not None else None,
        saved.settings_yaml,
    )
    answer = live_check(files, draft.municipality, db.runtime()).as_json()
    rows = deadline_rows(draft.municipality, xml, table, db.runtime().processes_dir)
    return jsonify({**answer, "clauses": element_clauses(xml), "deadlines": rows})


@bp.route("/<label>/save", methods=["POST"])
@roles_required(*EDITORS, own=True)
def save(label: str) -> ResponseReturnValue:
    """Store the edit as the draft's next revision; a stale revision is refused (409)."""
    draft = _draft(label)
    xml, texts, forms = _body()
    revision = (request.get_json(silent=True) or {}).get("revision")
    if not isinstance(revision, int):
        return _json_error(_("The edit names no revision of the draft: reload the page."), 400)
    try:
        table = _table(draft, texts)
        login = current_viewer().login
        new = save_draft(db.session(), draft, revision, xml, table, login, _now(), forms)
    except StaleDraft as error:
        return _json_error(str(error), 409)
    except DraftError as error:
        return _json_error(str(error), 400)
    return jsonify({"revision": new, "message": _("Draft saved (revision %(n)s).", n=new)})


@bp.route("/<label>/scenarios", methods=["POST"])
@roles_required(*EDITORS, own=True)
def scenarios(label: str) -> ResponseReturnValue:
    """The base folder's scenarios on the edit in the page: pass or fail, the failing step."""
    draft = _draft(label)
    xml, texts, forms = _body()
    try:
        edited = edited_draft(draft, xml, _table(draft, texts), forms)
    except DraftError as error:
        return _json_error(str(error), 400)
    tested = run_draft_scenarios(edited, db.runtime().processes_dir)
    results = [
        {"file": r.path.name, "name": r.name, "passed": r.passed, "failure": r.failure}
        for r in tested.results
    ]
    return jsonify({"results": results, "failed": len(tested.failed)})


@bp.route("/<label>/deploy", methods=["POST"])
@roles_required(*EDITORS, own=True)
def deploy(label: str) -> ResponseReturnValue:
    """Deploy the draft as an inactive version once its checks and scenarios pass."""
    draft = _draft(label)
    if not request.form.get("confirm"):
        return _index_refused(_("Not done: tick «I confirm»."))
    try:
        deploy_draft(db.session(), db.runtime(), draft, current_viewer().login)
    except DeployError as error:
        return _index_refused(str(error))
    flash(_("Draft «%(label)s» deployed; it is not active.", label=label), "info")
    return redirect(url_for("modeler.index"))


def _version(label: str) -> ProcessVersion:
    try:
        return version_by_label(db.session(), current_viewer().municipality, label)
    except VersionNotFound:
        abort(404)


def _draft(label: str) -> VersionDraft:
    found = draft_by_label(db.session(), current_viewer().municipality, label)
    if found is None:
        abort(404)
    return found


def _table(draft: VersionDraft, texts: dict[str, str]) -> str | None:
    """The draft's deadline table with the terms typed on the page."""
    if draft.deadlines_yaml is None or not texts:
        return draft.deadlines_yaml
    return set_terms(draft.deadlines_yaml, texts)


def _problem(text: str) -> dict[str, Any]:
    return {"element_id": None, "message": text, "line": None}


def _body() -> tuple[bytes, dict[str, str], str | None]:
    """The posted diagram XML (well-formed), the deadline rows' terms and the forms' text; a
    malformed edit ends the request with its JSON 400."""
    data: dict[str, Any] = request.get_json(silent=True) or {}
    xml, texts, forms = data.get("xml"), data.get("deadline_texts") or {}, data.get("forms_yaml")
    if forms is not None and (not isinstance(forms, str) or len(forms) > MAX_FORMS_CHARS):
        abort(_json_error(_("The step forms must be a text of at most 200,000 characters."), 400))
    if not isinstance(xml, str) or not xml.strip():
        abort(_json_error(_("No diagram was sent."), 400))
    raw = xml.encode("utf-8")
    if len(raw) > MAX_XML_BYTES:
        abort(_json_error(_("The diagram is larger than 2 MB."), 400))
    if not isinstance(texts, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in texts.items()
    ):
        abort(_json_error(_("Deadline terms must be texts by row name."), 400))
    try:
        etree.fromstring(raw, etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:
        abort(_json_error(_("The diagram is not well-formed XML: %(e)s", e=str(error)), 400))
    return raw, texts, forms


def _json_error(text: str, status: int) -> Response:
    response = jsonify({"error": text})
    response.status_code = status
    return response


def _index_refused(text: str) -> ResponseReturnValue:
    flash(text, "error")
    municipality = current_viewer().municipality
    folders = folder_labels(db.runtime().processes_dir, municipality)
    page = render_template(
        "modeler/index.html", drafts=drafts_of(db.session(), municipality), folders=folders
    )
    return page, 400


def _now() -> Any:
    return db.runtime().clock.now()
