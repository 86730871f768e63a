"""A municipality's versions as an administrator reads them: in version order, with state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from engine.models import ProcessInstance, ProcessVersion, VersionActivation
from engine.statuses import InstanceStatus
from engine.versioning.labels import label_key
from engine.versions import LARGE_VERSION_COLUMNS

SHORT_SHA = 12


class VersionNotFound(LookupError):
    """A label no deployed version has."""

    def __init__(self, municipality: str, label: str) -> None:
        super().__init__(f"У муниципалитета «{municipality}» нет версии «{label}».")


@dataclass(frozen=True)
class VersionRow:
    """One line of `reglament version list`."""

    id: int
    municipality: str
    label: str
    sha256: str
    deployed_at: datetime
    deployed_by: str
    activated_at: datetime | None
    activated_by: str | None
    active: bool
    scheduled_at: datetime | None
    running: int

    @property
    def state(self) -> str:
        """Действующая, запланированная или нет."""
        if self.active:
            return "действующая"
        if self.scheduled_at is not None:
            return f"с {self.scheduled_at.isoformat()}"
        return "—"

    def as_json(self) -> dict[str, Any]:
        """The row for --json."""
        return {
            "id": self.id,
            "municipality": self.municipality,
            "label": self.label,
            "sha256": self.sha256[:SHORT_SHA],
            "deployed_at": self.deployed_at.isoformat(),
            "deployed_by": self.deployed_by,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
            "activated_by": self.activated_by,
            "active": self.active,
            "scheduled_at": self.scheduled_at.isoformat() if self.scheduled_at else None,
            "running_cases": self.running,
        }


def version_rows(session: Session, municipality: str | None = None) -> list[VersionRow]:
    """Every version (of one municipality), by municipality then version order."""
    # The list needs no diagram, spec or tables: they stay in the database.
    query = select(ProcessVersion).options(*(defer(column) for column in LARGE_VERSION_COLUMNS))
    if municipality is not None:
        query = query.where(ProcessVersion.municipality == municipality)
    versions = list(session.scalars(query))
    running = dict(
        session.execute(
            select(ProcessInstance.version_id, func.count())
            .where(ProcessInstance.status == InstanceStatus.RUNNING)
            .group_by(ProcessInstance.version_id)
        ).all()
    )
    scheduled = _scheduled(session)
    versions.sort(key=lambda version: (version.municipality, label_key(version.label)))
    return [
        VersionRow(
            version.id,
            version.municipality,
            version.label,
            version.sha256,
            version.deployed_at,
            version.deployed_by,
            version.activated_at,
            version.activated_by,
            version.is_active,
            scheduled.get(version.id),
            int(running.get(version.id, 0)),
        )
        for version in versions
    ]


def _scheduled(session: Session) -> dict[int, datetime]:
    rows = session.execute(
        select(VersionActivation.version_id, VersionActivation.effective_at).where(
            VersionActivation.performed_at.is_(None), VersionActivation.cancelled_at.is_(None)
        )
    ).all()
    return {version_id: at for version_id, at in rows}


def version_by_label(session: Session, municipality: str, label: str) -> ProcessVersion:
    """The municipality's version with this label."""
    version = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.municipality == municipality, ProcessVersion.label == label
        )
    )
    if version is None:
        raise VersionNotFound(municipality, label)
    return version
