"""Publishing fixtures: the channels' stand-in server and their tokens in the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.engine.helpers import deploy_example
from tests.publishing.channel_server import ChannelServer


@pytest.fixture
def channel() -> Iterator[ChannelServer]:
    """The VK/Telegram/MAX stand-in on 127.0.0.1, recording requests."""
    with ChannelServer() as server:
        yield server


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Community and bot tokens of the example town (adapters/secrets.py)."""
    monkeypatch.setenv("REGLAMENT_CHANNEL_EXAMPLE_VK_TOKEN", "vk-community-token")
    monkeypatch.setenv("REGLAMENT_CHANNEL_EXAMPLE_TELEGRAM_TOKEN", "123:bot-token")
    monkeypatch.setenv("REGLAMENT_CHANNEL_EXAMPLE_MAX_TOKEN", "max-bot-token")
    monkeypatch.delenv("REGLAMENT_SECRETS_FILE", raising=False)


@pytest.fixture
def example(sessions: sessionmaker[Session], runtime: Runtime) -> sessionmaker[Session]:
    """The example regulation deployed; the session factory."""
    deploy_example(sessions, runtime)
    return sessions
