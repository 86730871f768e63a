"""Files on a step form: uploads taken with the submit, served with the case's rights."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from engine.attachments import (
    FileStore,
    Upload,
    UploadRefused,
    case_attachments,
    may_open,
    require_attachment,
    store_upload,
)
from engine.attachments import unknown_hashes as _unknown
from engine.forms import KINDS, FormSpec
from engine.models import OpenUserTask
from web import db
from web.auth import current_viewer, login_required

bp = Blueprint("attachments", __name__)
FILE_KINDS = frozenset({"files", "photos"})
UNKNOWN = "Файл не найден в этом деле: приложите его заново."
NOT_YOURS = "файл другого подразделения"


def store() -> FileStore:
    """The attachments directory of this app (an unusable one: no file can be there, 404)."""
    try:
        return FileStore(db.runtime().attachments)
    except UploadRefused:
        abort(404)


def take_uploads(
    task: OpenUserTask, form: FormSpec, data: dict[str, Any]
) -> tuple[dict[str, list[str]], bool]:
    """Store each file sent with the form; add their hashes to `data`.

    Returns the refusals per field, and whether anything was stored (then the request keeps it
    although the form may yet be refused, so a file once accepted never has to be sent again).
    """
    errors: dict[str, list[str]] = {}
    stored = False
    for spec in form.fields:
        if spec.kind not in FILE_KINDS:
            continue
        kept = [value for value in data.get(spec.name) or [] if isinstance(value, str)]
        unknown = _unknown(db.session(), task.instance_id, kept)
        if unknown:
            errors.setdefault(spec.name, []).append(UNKNOWN)
            kept = [value for value in kept if value not in unknown]
        for sent in request.files.getlist(spec.name):
            sha, problem = _take(task, spec.name, sent, KINDS[spec.kind].media_types)  # type: ignore[attr-defined]
            if problem:
                errors.setdefault(spec.name, []).append(f"{_shown(sent)}: {problem}")
            elif sha and sha not in kept:
                kept.append(sha)
                stored = True
        if kept:
            data[spec.name] = kept
        else:
            data.pop(spec.name, None)
    return errors, stored


def _take(
    task: OpenUserTask, field: str, sent: FileStorage, allowed: tuple[str, ...]
) -> tuple[str | None, str | None]:
    if not sent.filename and not sent.content_length:
        return None, None  # an empty file input sends a part with no name and no bytes
    limit = db.runtime().attachments.max_bytes
    content = sent.stream.read(limit + 1)  # never more than the limit and one byte in memory
    viewer = current_viewer()
    try:
        row = store_upload(
            db.session(),
            FileStore(db.runtime().attachments),
            task,
            field,
            Upload(sent.filename or "", content),
            allowed=allowed,
            actor=viewer.login,
            now=db.runtime().clock.now(),
        )
    except UploadRefused as refusal:
        return None, str(refusal)
    return row.sha256, None


def _shown(sent: FileStorage) -> str:
    return (sent.filename or "файл").replace("\\", "/").rsplit("/", 1)[-1][:120]


def file_names(instance_id: int) -> dict[str, str]:
    """A case's file hashes → what the history shows for them (never the hash itself)."""
    viewer = current_viewer()
    return {
        row.sha256: row.name if may_open(viewer, row) else NOT_YOURS
        for row in case_attachments(db.session(), instance_id)
    }


@bp.route("/cases/<id:instance_id>/files/<sha256>")
@login_required
def original(instance_id: int, sha256: str) -> ResponseReturnValue:
    """A case's file, to those who may see it (404 elsewhere, 403 another department's)."""
    row = require_attachment(db.session(), current_viewer(), instance_id, sha256)
    try:
        content = store().read(row.sha256)
    except OSError:  # the row outlived its file (a directory moved without its files)
        abort(404)
    return _file(content, row.media_type, row.name, inline=row.is_image)


@bp.route("/cases/<id:instance_id>/files/<sha256>/thumbnail")
@login_required
def thumbnail(instance_id: int, sha256: str) -> ResponseReturnValue:
    """A photo's thumbnail (JPEG), with the same rights as the photo."""
    row = require_attachment(db.session(), current_viewer(), instance_id, sha256)
    path = store().thumbnail_path(row.sha256)
    if not row.is_image or not path.exists():
        abort(404)
    return _file(path.read_bytes(), "image/jpeg", row.name, inline=True)


def _file(content: bytes, media_type: str, name: str, *, inline: bool) -> Response:
    response = Response(content, mimetype=media_type)
    disposition = "inline" if inline else "attachment"
    # The name as sent, for the browser's «save as» only; RFC 5987 keeps Cyrillic intact.
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
