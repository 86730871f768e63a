"""Attachment rows: stored with the step's upload, checked in a form's value, opened with rights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.access import AccessDenied, NotFound, Viewer, require_instance
from engine.attachments.store import HASH, FileStore, check
from engine.models import Attachment, OpenUserTask
from engine.statuses import AuditKind

MAX_NAME = 255


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its bytes and its name (shown, never used as a path)."""

    name: str
    content: bytes


def store_upload(
    session: Session,
    store: FileStore,
    task: OpenUserTask,
    field: str,
    upload: Upload,
    *,
    allowed: tuple[str, ...],
    actor: str,
    now: datetime,
) -> Attachment:
    """Check and store a file on a step; the same bytes on the same case are the same row."""
    checked = check(upload.content, store.settings, allowed)
    existing = session.scalar(
        select(Attachment).where(
            Attachment.instance_id == task.instance_id, Attachment.sha256 == checked.sha256
        )
    )
    store.put(upload.content, checked)
    if existing is not None:
        return existing
    row = Attachment(
        instance_id=task.instance_id,
        municipality=task.municipality,
        sha256=checked.sha256,
        media_type=checked.media_type,
        size=checked.size,
        name=_display_name(upload.name),
        task_id=task.task_id,
        field=field,
        department=task.department,
        uploaded_by=actor,
        uploaded_at=now,
    )
    try:
        with session.begin_nested():  # two submits at once: the second finds the first's row
            session.add(row)
    except IntegrityError:
        return _same_file(session, task.instance_id, checked.sha256)
    audit.record(
        session,
        AuditKind.ATTACHMENT_ADDED,
        now,
        actor,
        instance_id=task.instance_id,
        task_id=task.task_id,
        element_id=task.element_id,
        field=field,
        sha256=checked.sha256,
        media_type=checked.media_type,
        size=checked.size,
        name=row.name,
    )
    return row


def _same_file(session: Session, instance_id: int, sha256: str) -> Attachment:
    row = session.scalar(
        select(Attachment).where(Attachment.instance_id == instance_id, Attachment.sha256 == sha256)
    )
    if row is None:  # the constraint failed for another reason: let it be seen
        raise RuntimeError("attachment insert failed without a duplicate")
    return row


def _display_name(name: str) -> str:
    # Only the last part of whatever path a browser sends, printable, bounded.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(char for char in base if char.isprintable()).strip()
    return clean[:MAX_NAME] or "файл"


def case_attachments(
    session: Session, instance_id: int, hashes: Iterable[str] | None = None
) -> list[Attachment]:
    """A case's attachments in upload order (only those of `hashes`, when given)."""
    query = select(Attachment).where(Attachment.instance_id == instance_id)
    if hashes is not None:
        wanted = [value for value in hashes if isinstance(value, str) and HASH.fullmatch(value)]
        if not wanted:
            return []
        query = query.where(Attachment.sha256.in_(wanted))
    return list(session.scalars(query.order_by(Attachment.id)))


def unknown_hashes(session: Session, instance_id: int, hashes: Iterable[str]) -> list[str]:
    """Hashes a form names that are no file of this case (a forged or another case's value)."""
    given = list(hashes)
    known = {row.sha256 for row in case_attachments(session, instance_id, given)}
    return [value for value in given if value not in known]


def referenced(
    session: Session, instance_id: int, values: Iterable[Mapping[str, Any]]
) -> list[Attachment]:
    """The case's attachments that step values name (e.g. the approved drafts'), in order."""
    hashes: list[str] = []
    for data in values:
        for value in data.values():
            items = value if isinstance(value, list) else [value]
            hashes += [item for item in items if isinstance(item, str) and HASH.fullmatch(item)]
    rows = {row.sha256: row for row in case_attachments(session, instance_id, hashes)}
    return [rows[value] for value in dict.fromkeys(hashes) if value in rows]


def require_attachment(
    session: Session, viewer: Viewer, instance_id: int, sha256: str
) -> Attachment:
    """A file the viewer may open: NotFound outside the municipality, AccessDenied for others.

    Who may see the case may see its files, except that a department-bound executor may not
    open a file uploaded on another department's step (each department's draft is its own).
    """
    require_instance(session, viewer, instance_id)
    found = case_attachments(session, instance_id, [sha256])
    if not found:
        raise NotFound(sha256)
    row = found[0]
    if not may_open(viewer, row):
        raise AccessDenied(sha256)
    return row


def visible_attachments(session: Session, viewer: Viewer, instance_id: int) -> list[Attachment]:
    """The case's files this viewer may open (the case card lists only these)."""
    return [row for row in case_attachments(session, instance_id) if may_open(viewer, row)]


def may_open(viewer: Viewer, row: Attachment) -> bool:
    """Whether the viewer (who sees the case) may open this file of it."""
    if viewer.oversees or row.department is None or row.department in viewer.departments:
        return True
    bound = viewer.registry.seeing("department")
    return not (viewer.roles and viewer.roles <= bound)
