"""Bearer tokens of the REST API: one per integration and municipality, kept only as a hash.

A token is 256 random bits, so a plain SHA-256 is enough to keep it (no password stretching:
nothing to guess). The plain value is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.models import ApiIdempotencyKey, ApiToken
from engine.municipalities import is_known
from engine.runtime import Runtime
from engine.statuses import AuditKind

TOKEN_PREFIX = "rgl_"
SHOWN_PREFIX = 12  # "rgl_" and 8 characters: enough to tell tokens apart in a list
MAX_NAME = 128


class TokenError(ValueError):
    """A token that cannot be created or revoked, with the reason in Russian."""


@dataclass(frozen=True)
class NewToken:
    """A created token: the row, and its plain value (shown once, never stored)."""

    row: ApiToken
    plain: str


def token_hash(plain: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(
    session: Session, runtime: Runtime, name: str, municipality: str, actor: str
) -> NewToken:
    """A new token of an integration for one municipality."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise TokenError(f"Название интеграции: от 1 до {MAX_NAME} символов.")
    if not is_known(municipality, runtime.processes_dir):
        raise TokenError(f"Неизвестный муниципалитет «{municipality}».")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = runtime.clock.now()
    row = ApiToken(
        name=name,
        municipality=municipality,
        token_hash=token_hash(plain),
        prefix=plain[:SHOWN_PREFIX],
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, AuditKind.API_TOKEN_CREATED, now, actor, token_id=row.id, name=name)
    return NewToken(row, plain)


def revoke_token(
    session: Session, runtime: Runtime, token_id: int, actor: str, municipality: str | None = None
) -> ApiToken:
    """Revoke a token (of `municipality` when given); its next request is refused."""
    row = session.get(ApiToken, token_id)
    if row is None or (municipality is not None and row.municipality != municipality):
        raise TokenError(f"Нет токена {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = runtime.clock.now()
        audit.record(session, AuditKind.API_TOKEN_REVOKED, row.revoked_at, actor, token_id=row.id)
    return row


def authenticate(session: Session, plain: str, now: datetime) -> ApiToken | None:
    """The live token with this value, or None (unknown or revoked)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plain)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = now
    return row


def tokens_of(session: Session, municipality: str | None = None) -> list[ApiToken]:
    """Tokens, newest first (of one municipality when given)."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if municipality is not None:
        query = query.where(ApiToken.municipality == municipality)
    return list(session.scalars(query))


def request_hash(body: Any) -> str:
    """A request's fingerprint: a key reused with another body is refused."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def remembered(session: Session, token_id: int, key: str) -> ApiIdempotencyKey | None:
    """The answer already given to this key of this token."""
    return session.scalar(
        select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key
        )
    )


def remember(
    session: Session,
    token_id: int,
    key: str,
    fingerprint: str,
    status_code: int,
    response: dict[str, Any],
    now: datetime,
) -> bool:
    """Keep the answer to a key; False when a simultaneous request with it got there first."""
    try:
        with session.begin_nested():
            session.add(
                ApiIdempotencyKey(
                    token_id=token_id,
                    key=key,
                    request_hash=fingerprint,
                    status_code=status_code,
                    response=response,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
