"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it received, or refuses on cue."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the server accepted, and the replies it gives the next messages instead of 250."""

    received: list[EmailMessage] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd's hook: refuse if told to, else keep the parsed message."""
        if self.refusals:
            return self.refusals.pop(0)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 OK"

    def text(self, index: int = 0) -> str:
        """The plain-text part of a received message, decoded."""
        part = self.received[index].get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    def html(self, index: int = 0) -> str:
        """The HTML part of a received message, decoded."""
        part = self.received[index].get_body(("html",))
        assert part is not None
        return str(part.get_content())


@dataclass
class SmtpServer:
    """Where the server listens and what it received."""

    host: str
    port: int
    inbox: Inbox


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 for one test."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()
