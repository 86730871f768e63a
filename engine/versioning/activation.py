"""Switching a municipality's active version: now, on a date (performed once), or back."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from engine import audit
from engine.models import ProcessVersion, VersionActivation
from engine.statuses import AuditKind

WORKER_ACTOR = "worker"


class ActivationKind(enum.StrEnum):
    """Why a version became active."""

    ACTIVATE = "activate"
    ROLLBACK = "rollback"


class ActivationError(ValueError):
    """A switch that cannot be made (in Russian, for the administrator)."""


def activate_now(
    session: Session,
    version: ProcessVersion,
    actor: str,
    now: datetime,
    kind: ActivationKind = ActivationKind.ACTIVATE,
) -> VersionActivation:
    """Make `version` the one new messages start on from `now`; running cases keep theirs."""
    row = VersionActivation(
        municipality=version.municipality,
        version_id=version.id,
        kind=kind.value,
        requested_at=now,
        requested_by=actor,
        effective_at=now,
    )
    session.add(row)
    session.flush()
    _perform(session, row, version, actor, now)
    return row


def schedule(
    session: Session, version: ProcessVersion, actor: str, now: datetime, at: datetime
) -> VersionActivation:
    """Make `version` active at `at` (a later one replaces a switch not yet performed)."""
    if at <= now:
        return activate_now(session, version, actor, now)
    for pending in pending_activations(session, version.municipality):
        pending.cancelled_at = now
    row = VersionActivation(
        municipality=version.municipality,
        version_id=version.id,
        kind=ActivationKind.ACTIVATE.value,
        requested_at=now,
        requested_by=actor,
        effective_at=at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        AuditKind.VERSION_SCHEDULED,
        now,
        actor,
        version_id=version.id,
        label=version.label,
        effective_at=at.isoformat(),
        activation_id=row.id,
    )
    return row


def rollback(session: Session, municipality: str, actor: str, now: datetime) -> VersionActivation:
    """Back to the version that was active before the current one; audited."""
    current = current_version(session, municipality)
    if current is None:
        raise ActivationError(f"У муниципалитета «{municipality}» нет действующей версии.")
    last = session.scalars(
        select(VersionActivation)
        .where(
            VersionActivation.municipality == municipality,
            VersionActivation.version_id == current.id,
            VersionActivation.performed_at.is_not(None),
        )
        .order_by(VersionActivation.performed_at.desc(), VersionActivation.id.desc())
        .limit(1)
    ).first()
    if last is None or last.previous_version_id is None:
        raise ActivationError(
            f"Версия «{current.label}» муниципалитета «{municipality}» — первая действующая: "
            "откатываться не к чему."
        )
    previous = session.get_one(ProcessVersion, last.previous_version_id)
    return activate_now(session, previous, actor, now, ActivationKind.ROLLBACK)


def perform_due(session: Session, now: datetime) -> list[VersionActivation]:
    """Perform every scheduled switch whose moment has come, each exactly once."""
    done = []
    for row in session.scalars(_due(now).order_by(VersionActivation.effective_at)).all():
        # The guarded UPDATE is the claim: of two workers, only one changes the row.
        claimed = session.execute(
            update(VersionActivation)
            .where(
                VersionActivation.id == row.id,
                VersionActivation.performed_at.is_(None),
                VersionActivation.cancelled_at.is_(None),
            )
            .values(performed_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        session.refresh(row)
        _perform(session, row, session.get_one(ProcessVersion, row.version_id), WORKER_ACTOR, now)
        done.append(row)
    return done


def starting_version(
    session: Session,
    municipality: str,
    now: datetime,
    options: Sequence[ExecutableOption] = (),
) -> ProcessVersion | None:
    """The version a new message starts on at `now`: a due switch's, else the active one."""
    return session.scalar(_starting(tuple(options)), {"now": now, "municipality": municipality})


def pending_activations(session: Session, municipality: str) -> list[VersionActivation]:
    """Scheduled switches not yet performed nor cancelled."""
    return list(
        session.scalars(
            select(VersionActivation).where(
                VersionActivation.municipality == municipality,
                VersionActivation.performed_at.is_(None),
                VersionActivation.cancelled_at.is_(None),
            )
        )
    )


def current_version(
    session: Session, municipality: str, options: Sequence[ExecutableOption] = ()
) -> ProcessVersion | None:
    """The version marked active (a due switch aside); `options` such as deferred columns."""
    return session.scalar(_current(tuple(options)), {"municipality": municipality})


@lru_cache(maxsize=16)
def _current(options: tuple[ExecutableOption, ...]) -> Select[ProcessVersion]:
    # Read by every intake: built once per set of options (callers pass module constants).
    return (
        select(ProcessVersion)
        .where(
            ProcessVersion.municipality == bindparam("municipality"),
            ProcessVersion.is_active.is_(True),
        )
        .options(*options)
    )


@lru_cache(maxsize=16)
def _starting(options: tuple[ExecutableOption, ...]) -> Select[ProcessVersion]:
    return (
        select(ProcessVersion).where(ProcessVersion.id == starting_version_id()).options(*options)
    )


@lru_cache(maxsize=1)
def starting_version_id() -> ColumnElement[int]:
    """The id of the version a new message starts on, as a column of any statement.

    Its parameters are `municipality` and `now`; NULL when nothing is active. The intake
    reads it with its lock, in the statement it sends anyway (engine/intake.py).
    """
    active = select(ProcessVersion.id).where(
        ProcessVersion.municipality == bindparam("municipality"),
        ProcessVersion.is_active.is_(True),
    )
    # The due switch first, else the active version.
    chosen = func.coalesce(_DUE_VERSION.scalar_subquery(), active.scalar_subquery())
    return cast(ColumnElement[int], chosen)


def _due(now: datetime | BindParameter[datetime]) -> Select[VersionActivation]:
    return select(VersionActivation).where(
        VersionActivation.performed_at.is_(None),
        VersionActivation.cancelled_at.is_(None),
        VersionActivation.effective_at <= now,
    )


# Read by every intake: built once, with its parameters bound at each call.
_DUE_VERSION = (
    _due(bindparam("now", type_=VersionActivation.effective_at.type))
    .with_only_columns(VersionActivation.version_id)
    .where(VersionActivation.municipality == bindparam("municipality"))
    .order_by(VersionActivation.effective_at.desc(), VersionActivation.id.desc())
    .limit(1)
)


def _perform(
    session: Session, row: VersionActivation, version: ProcessVersion, actor: str, now: datetime
) -> None:
    current = current_version(session, version.municipality)
    row.previous_version_id = current.id if current is not None else None
    row.performed_at = now
    session.execute(
        update(ProcessVersion)
        .where(ProcessVersion.municipality == version.municipality, ProcessVersion.id != version.id)
        .values(is_active=False)
        .execution_options(synchronize_session="fetch")
    )
    version.is_active = True
    version.activated_at = row.effective_at
    version.activated_by = row.requested_by
    kind = (
        AuditKind.VERSION_ROLLED_BACK
        if row.kind == ActivationKind.ROLLBACK.value
        else AuditKind.VERSION_ACTIVATED
    )
    audit.record(
        session,
        kind,
        now,
        actor,
        version_id=version.id,
        label=version.label,
        previous_version_id=row.previous_version_id,
        effective_at=row.effective_at.isoformat(),
        requested_by=row.requested_by,
        activation_id=row.id,
    )
