"""The plain form of an audit row, and who is told when a batch of them is written.

Apart from engine/audit.py because it imports no model: the inbox, which engine.models imports,
registers here (engine/inbox/capture.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session, UOWTransaction

from engine.statuses import AuditKind


@dataclass(slots=True)
class AuditRow:
    """One audit row as recorded; `id` is set once it is written."""

    kind: AuditKind
    at: datetime
    actor: str
    instance_id: int | None
    version_id: int | None
    task_id: str | None
    element_id: str | None
    data: dict[str, Any]
    id: int | None = None

    def values(self) -> dict[str, Any]:
        """The row's columns for the INSERT."""
        return {
            "kind": self.kind,
            "at": self.at,
            "actor": self.actor,
            "instance_id": self.instance_id,
            "version_id": self.version_id,
            "task_id": self.task_id,
            "element_id": self.element_id,
            "data": self.data,
        }


# Told of every batch as it is written (the inbox fans task and publication events out). The
# flush context is the flush that wrote it, or None when a query or a commit did.
Listener = Callable[[Session, Connection, list[AuditRow], UOWTransaction | None], None]
LISTENERS: list[Listener] = []
