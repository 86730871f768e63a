"""What every channel shares: no regulation yet (503), simultaneous twins, large bodies."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.prefill import task_prefill
from engine.runtime import Runtime
from engine.versions import deploy_file, version_forms
from tests.adapters.conftest import messages, post_json, stored
from tests.adapters.test_vk import GROUP, SECRET, comment, event
from tests.conftest import PROCESSES
from tests.engine.helpers import open_tasks
from tests.web.conftest import login, on_both_databases
from tests.web.helpers import complete


def _vk(configure: Callable[..., None], municipality: str = "example") -> None:
    configure("vk", municipality, confirmation="c", secret=SECRET, group_id=str(GROUP))


def test_no_active_regulation_is_503_so_the_channel_retries(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    clock: VirtualClock,
    configure: Callable[..., None],
) -> None:
    _vk(configure, "perm")  # perm takes vk messages, but the test app deployed only the example
    answer = post_json(client, "/channels/vk/perm", event("wall_reply_new", comment(clock)))
    assert answer.status_code == 503 and "perm" in answer.text
    assert stored(sessions) == (0, 0)


@on_both_databases
def test_simultaneous_twins_make_one_message(
    app: Flask,
    sessions: sessionmaker[Session],
    clock: VirtualClock,
    configure: Callable[..., None],
) -> None:
    _vk(configure)
    bodies = [
        event("wall_reply_new", comment(clock)),  # a message: the twin is a duplicate message
        event("group_join", {"user_id": 1, "join_type": "join"}, event_id="j1"),  # receipt only
    ]
    for body in bodies:
        assert _deliver_at_once(app, body, 4) == [200] * 4
    assert stored(sessions) == (1, 2)


def test_an_oversized_body_is_refused_unread(
    client: FlaskClient, sessions: sessionmaker[Session], configure: Callable[..., None]
) -> None:
    _vk(configure)
    answer = post_json(client, "/channels/vk/example", b"{" + b" " * 2_000_000 + b"}")
    assert answer.status_code == 413 and stored(sessions) == (0, 0)


def _deliver_at_once(app: Flask, body: dict, twins: int) -> list[int]:
    """POST the same body from `twins` threads released together; their status codes."""
    statuses: list[int] = []
    start = threading.Barrier(twins)

    def deliver() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(post_json(client, "/channels/vk/example", body).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(twins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_whose_page_the_channel_is_decides_perms_deadlines(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    clock: VirtualClock,
    configure: Callable[..., None],
) -> None:
    with sessions.begin() as session:
        deploy_file(session, web_runtime, PROCESSES / "perm" / "v1" / "perm.bpmn", "admin")
    _vk(configure, "perm")
    drafts = {}
    for author, page in ((701, "administration"), (702, "head")):
        configure("vk", "perm", page=page)
        body = event("wall_reply_new", comment(clock, comment_id=author, from_id=author))
        assert post_json(client, "/channels/vk/perm", {**body, "event_id": page}).status_code == 200
        message = messages(sessions)[-1]
        assert message.payload["page"] == page and message.official_page
        case = int(message.instance_id or 0)
        (screen,) = open_tasks(sessions, case)
        with sessions() as session:  # the screening form starts from the channel's page
            form = version_forms(session, web_runtime, case).form("screen")
            assert task_prefill(session, web_runtime, screen, form)["page"] == page
        complete(sessions, web_runtime, case, "screen", screen_decision="process", page=page)
        complete(sessions, web_runtime, case, "route", departments=["dzhkh"])
        drafts[page] = [task.element_id for task in open_tasks(sessions, case)]
    # Perm 3.3: the administration's page gives the executor 8 working hours; the Head's 4 hours.
    assert "draft_service" in drafts["administration"] and "draft_feed" in drafts["head"]


def test_webhooks_need_no_csrf_token_while_staff_forms_do(
    app: Flask, sessions: sessionmaker[Session], clock: VirtualClock, configure: Callable[..., None]
) -> None:
    _vk(configure)
    curator = login(app.test_client(), "curator")
    app.config["WTF_CSRF_ENABLED"] = True  # as in production (the test app turns it off)
    client = app.test_client()
    answer = post_json(client, "/channels/vk/example", event("wall_reply_new", comment(clock)))
    assert answer.status_code == 200 and answer.text == "ok"
    assert stored(sessions) == (1, 1)
    staff = curator.post("/messages/import", data={})
    assert staff.status_code == 400  # the upload form without its token
