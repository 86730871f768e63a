"""Adapter fixtures: the web app of tests/web (example town deployed), channel settings, counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.secrets import variable_name
from engine.models import ChannelReceipt, Message
from tests.web.conftest import _catalogs, app, database, sessions, web_runtime

__all__ = ["_catalogs", "app", "database", "sessions", "web_runtime"]


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set a channel's settings for the example town, as an administrator would (environment)."""

    def set_settings(channel: str, municipality: str = "example", **values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(variable_name(municipality, channel, name), value)

    return set_settings


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous client: channels never sign in."""
    return app.test_client()


def stored(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """How many messages and channel receipts the database holds."""
    with sessions() as session:
        messages = session.scalar(select(func.count()).select_from(Message))
        receipts = session.scalar(select(func.count()).select_from(ChannelReceipt))
    return int(messages or 0), int(receipts or 0)


def messages(sessions: sessionmaker[Session]) -> list[Message]:
    """Every stored message, oldest first."""
    with sessions() as session:
        found = list(session.scalars(select(Message).order_by(Message.id)))
        session.expunge_all()
    return found


def post_json(client: FlaskClient, url: str, body: Any, **headers: str) -> Any:
    """POST a JSON body (or raw bytes) as a channel does."""
    data = body if isinstance(body, bytes) else __import__("json").dumps(body).encode()
    return client.post(url, data=data, headers={"Content-Type": "application/json", **headers})
