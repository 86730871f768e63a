"""Deploying a version from the browser: its files, the deploy checks and its own scenarios."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from engine.checks import ChecksRefused
from engine.selftest import deploy_version
from engine.versions import DeployError
from web import db
from web.auth import current_viewer, roles_required

bp = Blueprint("version_upload", __name__, url_prefix="/versions")
LABEL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SCENARIO_SUFFIX = ".scenario.yaml"
MAX_FILE_BYTES = 2 * 1024 * 1024  # a diagram or a table is kilobytes; more is a wrong file


class UploadRefused(ValueError):
    """An upload whose files cannot make a version (in Russian)."""


@bp.route("/upload", methods=["GET", "POST"])
@roles_required("administrator", own=True)
def upload() -> ResponseReturnValue:
    """GET: the form; POST: deploy (not activate) once the checks and scenarios pass."""
    if request.method == "GET":
        return render_template("versions/upload.html", problem=None, results=None)
    viewer = current_viewer()
    if not request.form.get("confirm"):
        return _refused("Действие не выполнено: отметьте «Подтверждаю».")
    label = request.form.get("label", "").strip()
    diagram: bytes | None = None  # a refused diagram is shown with its refused elements marked
    try:
        with tempfile.TemporaryDirectory() as folder:
            bpmn = _write_files(Path(folder) / viewer.municipality / label, label)
            diagram = bpmn.read_bytes()
            outcome = deploy_version(
                db.session(),
                db.runtime(),
                bpmn,
                viewer.login,
                untested_because=None,
                activate=False,
            )
    except UploadRefused as error:
        return _refused(str(error))
    except DeployError as error:
        return _refused(str(error), diagram, _marked(error))
    version = outcome.deployment.version
    if not outcome.deployment.created:
        flash(f"Эти файлы уже развёрнуты как версия «{version.label}».", "info")
    else:
        passed = len(outcome.tested.results) if outcome.tested else 0
        flash(f"Версия «{version.label}» развёрнута: сценариев прошло {passed}.", "info")
    return redirect(url_for("versions.index"))


def _write_files(folder: Path, label: str) -> Path:
    if not LABEL.match(label):
        raise UploadRefused(
            f"Версия «{label}»: латинские буквы, цифры, точка, дефис (например, v2)."
        )
    folder.mkdir(parents=True)
    diagram = request.files.get("bpmn")
    if diagram is None or not (diagram.filename or "").endswith(".bpmn"):
        raise UploadRefused("Выберите файл диаграммы *.bpmn.")
    bpmn = folder / _name(diagram.filename or "", ".bpmn")
    _save(diagram, bpmn)
    for field, name in (("forms", "forms.yaml"), ("deadlines", "deadlines.yaml")):
        found = request.files.get(field)
        if found is not None and found.filename:
            _save(found, folder / name)
    for scenario in request.files.getlist("scenarios"):
        if scenario.filename:
            _save(scenario, folder / _name(scenario.filename, SCENARIO_SUFFIX))
    return bpmn


def _name(filename: str, suffix: str) -> str:
    base = Path(filename).name
    if not base.endswith(suffix) or not re.match(r"^[\w.-]+$", base):
        raise UploadRefused(f"Файл «{base}»: ожидается имя вида name{suffix} (латиница, цифры).")
    return base


def _save(upload: FileStorage, path: Path) -> None:
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused(f"Файл «{path.name}» больше 2 МБ.")
    path.write_bytes(data)


def _marked(error: DeployError) -> list[dict[str, str | None]]:
    """The refused elements and why, for the marks on the diagram."""
    if isinstance(error, ChecksRefused):
        return [{"element_id": p.element_id, "message": str(p)} for p in error.problems]
    return [{"element_id": error.element_id, "message": str(error)}]


def _refused(
    problem: str, diagram: bytes | None = None, marks: list[dict[str, str | None]] | None = None
) -> ResponseReturnValue:
    text = diagram.decode("utf-8", errors="replace") if diagram else None
    page = render_template("versions/upload.html", problem=problem, diagram=text, marks=marks or [])
    return page, 400
