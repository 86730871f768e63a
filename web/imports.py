"""Curators upload an ИМ/ПОС export: the rows are imported and the refused ones listed."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from adapters.channel import Context
from adapters.imports.files import FileFormatError, read_rows
from adapters.imports.importer import import_rows, missing_columns
from adapters.imports.mapping import MappingError, find_mapping, mapping_names
from engine.roles import ENTER_MESSAGES
from web import db
from web.auth import ability_required, current_viewer

bp = Blueprint("imports", __name__)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a year of ИМ exports is a few megabytes


@bp.route("/messages/import", methods=["GET", "POST"])
@ability_required(ENTER_MESSAGES)  # an import enters messages, as manual intake does
def upload() -> ResponseReturnValue:
    """The upload form; on POST the report of the import (or of the check with «dry run»)."""
    municipality = current_viewer().municipality
    names = mapping_names(municipality)
    if request.method == "GET":
        return _page(names, _default(municipality))
    chosen = request.form.get("mapping") or None
    dry_run = bool(request.form.get("dry_run"))
    all_or_nothing = bool(request.form.get("all_or_nothing"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(names, chosen, error="Выберите файл выгрузки."), 422
    content = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _page(names, chosen, error="Файл больше 20 МБ: разделите выгрузку."), 413
    try:
        mapping = find_mapping(municipality, chosen)
        rows = read_rows(upload.filename, content)
    except (MappingError, FileFormatError) as error:
        return _page(names, chosen, error=str(error)), 422
    missing = missing_columns(mapping, rows)
    if missing:
        return _page(names, chosen, error=f"В файле нет колонок: {', '.join(missing)}."), 422
    # The importer owns its transactions (one per row, or one for all-or-nothing).
    context = Context(sessions=db.sessions(), runtime=db.runtime())
    report = import_rows(
        context,
        municipality,
        mapping,
        rows,
        actor=current_viewer().login,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    return _page(names, mapping.name, report=report, dry_run=dry_run, filename=upload.filename)


def _default(municipality: str) -> str | None:
    try:
        return find_mapping(municipality).name
    except MappingError:
        return None


def _page(names: list[str], chosen: str | None = None, **values: object) -> str:
    return render_template("imports/upload.html", names=names, chosen=chosen, **values)
