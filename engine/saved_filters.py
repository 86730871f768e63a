"""Saved task-list filters: each user names the queries they use and opens them in one click."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.models import SavedFilter

# The task list's own parameters: anything else in a saved query is dropped.
FILTER_KEYS = ("scope", "source", "step", "department", "overdue", "q")
NAME_LENGTH = 80
QUERY_LENGTH = 1024
PER_USER = 30


class FilterError(ValueError):
    """A filter that cannot be saved; the message is for staff (Russian)."""


def clean_query(pairs: list[tuple[str, str]]) -> str:
    """The list's parameters among `pairs`, empty ones left out, as a query string."""
    kept = [(key, value) for key, value in pairs if key in FILTER_KEYS and value.strip()]
    return urlencode(kept)


def save_filter(
    session: Session, user_id: int, name: str, pairs: list[tuple[str, str]], now: datetime
) -> SavedFilter:
    """Save (or, under the same name, replace) the user's filter."""
    name = " ".join(name.split())
    if not name:
        raise FilterError("Укажите название фильтра.")
    if len(name) > NAME_LENGTH:
        raise FilterError(f"Название фильтра — не длиннее {NAME_LENGTH} символов.")
    query = clean_query(pairs)
    if len(query) > QUERY_LENGTH:
        raise FilterError("Фильтр слишком длинный: сократите поиск.")
    found = session.scalar(
        select(SavedFilter).where(SavedFilter.user_id == user_id, SavedFilter.name == name)
    )
    if found is not None:
        found.query, found.created_at = query, now
        return found
    count = (
        session.scalar(select(func.count(SavedFilter.id)).where(SavedFilter.user_id == user_id))
        or 0
    )
    if count >= PER_USER:
        raise FilterError(f"Сохранено уже {PER_USER} фильтров: удалите ненужный.")
    saved = SavedFilter(user_id=user_id, name=name, query=query, created_at=now)
    session.add(saved)
    session.flush()
    return saved


def user_filters(session: Session, user_id: int) -> list[SavedFilter]:
    """The user's saved filters by name."""
    query = select(SavedFilter).where(SavedFilter.user_id == user_id).order_by(SavedFilter.name)
    return list(session.scalars(query))


def delete_filter(session: Session, user_id: int, filter_id: int) -> bool:
    """Delete one of the user's own filters; False when there is no such filter of theirs."""
    done = session.execute(
        delete(SavedFilter).where(SavedFilter.id == filter_id, SavedFilter.user_id == user_id)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def filter_args(saved: SavedFilter) -> dict[str, str]:
    """A saved filter's query as the list's arguments."""
    return {key: value for key, value in parse_qsl(saved.query) if key in FILTER_KEYS}
