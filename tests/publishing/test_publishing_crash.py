"""Exactly one comment although the worker is killed between sending and acknowledging."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.publishing.status import PublicationStatus
from engine.runtime import Runtime
from tests.publishing.channel_server import ChannelServer
from tests.publishing.publishing_helpers import (
    VK_COMMENT,
    case_at_publish,
    publication,
    publish_via_channel,
)

REGLAMENT = Path(sys.executable).parent / "reglament"
LEASE_SECONDS = 1.0


def _worker_env(db_engine: Engine, channel: ChannelServer) -> dict[str, str]:
    return {
        **os.environ,
        "REGLAMENT_DATABASE_URL": db_engine.url.render_as_string(hide_password=False),
        "REGLAMENT_VK_API_URL": channel.url,
        "REGLAMENT_CHANNEL_EXAMPLE_VK_TOKEN": "vk-community-token",
        "REGLAMENT_PUBLISH_LEASE": str(LEASE_SECONDS),
        "REGLAMENT_WORKER_INTERVAL": "0.2",
    }


@pytest.mark.usefixtures("tokens")
def test_a_worker_killed_after_sending_still_yields_exactly_one_comment(
    example: sessionmaker[Session], runtime: Runtime, channel: ChannelServer, db_engine: Engine
) -> None:
    pub_id = publish_via_channel(example, runtime, case_at_publish(example, runtime, VK_COMMENT))
    env = _worker_env(db_engine, channel)
    channel.state.hold_next.set()  # VK publishes, but the worker never hears back
    worker = subprocess.Popen([str(REGLAMENT), "worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        assert channel.state.held.wait(60), "the worker never sent the comment"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(30)
    channel.state.release.set()
    assert publication(example, pub_id).status is PublicationStatus.SENDING  # not acknowledged
    assert len(channel.state.posted) == 1
    time.sleep(LEASE_SECONDS + 0.2)  # the dead worker's lease runs out
    again = subprocess.run(
        [str(REGLAMENT), "worker", "--once"], env=env, capture_output=True, timeout=120
    )
    assert again.returncode == 0, again.stderr.decode()
    calls = channel.state.calls("wall.createComment")
    assert len(calls) == 2
    assert calls[0].form["guid"] == calls[1].form["guid"] == f"reglament-outbox-{pub_id}"
    assert len(channel.state.posted) == 1  # VK dropped the resend with the same guid
    row = publication(example, pub_id)
    assert (row.status, row.external_id, row.attempts) == (PublicationStatus.SENT, "500", 2)
