"""A VK callback end to end: VK wants `ok` within a second; how long a comment and a retry take."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import EXAMPLE_BPMN, PROCESSES, make_runtime, ms, show
from engine.db import Base
from engine.versions import deploy_file
from web import create_app
from web.db import extension_state

COMMENTS = 200
GROUP = 1
SECRET = "bench-vk-secret"


def _event(number: int, created: int) -> bytes:
    """A wall_reply_new of a different author each time (so a new case)."""
    return json.dumps(
        {
            "group_id": GROUP,
            "type": "wall_reply_new",
            "event_id": f"bench{number}",
            "v": "5.199",
            "secret": SECRET,
            "object": {
                "id": number,
                "from_id": 1000 + number,
                "date": created,
                "text": "Когда починят дорогу?",
                "post_id": 10,
                "owner_id": -GROUP,
            },
        }
    ).encode()


def main() -> None:
    """Median and worst latency of a new comment (a new case) and of its retry (a no-op)."""
    os.environ["REGLAMENT_CHANNEL_EXAMPLE_VK_SECRET"] = SECRET
    os.environ["REGLAMENT_CHANNEL_EXAMPLE_VK_CONFIRMATION"] = "bench"
    clock, _ = make_runtime()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "PROCESSES_DIR": PROCESSES,
                "CLOCK": clock,
            }
        )
        state = extension_state(app)
        Base.metadata.create_all(state["engine"])
        with state["sessions"].begin() as session:
            deploy_file(session, state["runtime"], EXAMPLE_BPMN, "admin")
        client = app.test_client()
        created = int(clock.now().timestamp())
        bodies = [_event(number, created) for number in range(COMMENTS)]
        new = [_post(client, body) for body in bodies]
        retried = [_post(client, body) for body in bodies]
        state["engine"].dispose()
    print(f"  {COMMENTS} wall_reply_new events on SQLite (each a new case of the example)")
    for label, times in (
        ("new comment → case started", new),
        ("retry (duplicate, no-op)", retried),
    ):
        show(f"{label}: median", ms(statistics.median(times)))
        show(f"{label}: worst", ms(max(times)), "VK's limit is 1 s")


def _post(client: object, body: bytes) -> float:
    began = time.perf_counter()
    answer = client.post(  # type: ignore[attr-defined]
        "/channels/vk/example", data=body, headers={"Content-Type": "application/json"}
    )
    elapsed = time.perf_counter() - began
    assert answer.status_code == 200, answer.text
    return elapsed
