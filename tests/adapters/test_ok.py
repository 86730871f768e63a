"""Одноклассники: the group-chat webhook (source networks, chat ids) and polled topic comments."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from adapters.channel import Context
from adapters.ok.poll import PollError, poll_municipality, signature
from engine.cli import main
from engine.clock import VirtualClock
from engine.db import make_engine, make_session_factory
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.versions import deploy_file
from tests.adapters.conftest import messages, post_json, stored
from tests.conftest import EXAMPLE_BPMN, PROCESSES

URL = "/channels/ok/example"
CHAT = "chat:C3ecb9d02a600"


def notification(
    clock: VirtualClock, mid: str = "mid:C3ecb9d02a600.15cea67d78d2059", **extra: Any
) -> dict:
    """A MESSAGE_CREATED notification as OK's Bot API documents it."""
    return {
        "sender": {"name": "Светлана Иванова", "user_id": "user:123456789012"},
        "recipient": {"chat_id": CHAT},
        "message": {"text": "Когда дадут горячую воду?", "seq": 98211023614189660, "mid": mid},
        "timestamp": int(clock.now().timestamp() * 1000),
        "webhookType": "MESSAGE_CREATED",
        **extra,
    }


@pytest.fixture
def _ok_chats(configure: Callable[..., None]) -> None:
    configure("ok", networks="127.0.0.0/8, 217.20.144.0/20", chat_ids=CHAT)


@pytest.mark.usefixtures("_ok_chats")
def test_a_group_chat_message_from_oks_network_is_taken_in_once(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    assert post_json(client, URL, notification(clock)).status_code == 200
    assert post_json(client, URL, notification(clock)).status_code == 200
    (message,) = messages(sessions)
    assert message.source == "ok" and message.channel == "private"
    assert message.author == "Светлана Иванова" and message.author_id == "user:123456789012"
    assert message.payload["reply_to"] == {
        "network": "ok",
        "kind": "chat",
        "chat_id": CHAT,
        "mid": notification(clock)["message"]["mid"],
    }
    assert stored(sessions) == (1, 1)


@pytest.mark.usefixtures("_ok_chats")
def test_other_networks_and_other_chats_are_refused(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    far = client.post(
        URL, json=notification(clock), environ_overrides={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert far.status_code == 403
    other = notification(clock, recipient={"chat_id": "chat:other"})
    assert post_json(client, URL, other).status_code == 403
    assert stored(sessions) == (0, 0)


@pytest.mark.usefixtures("_ok_chats")
def test_malformed_notifications_are_400(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    good = notification(clock)
    for body in (
        b"nope",
        {**good, "webhookType": 1},
        {**good, "recipient": None},
        {**good, "message": {"text": "no mid"}},
        {**good, "sender": {"name": "no id"}},
        {**good, "timestamp": "later"},
    ):
        assert post_json(client, URL, body).status_code == 400, body
    assert stored(sessions) == (0, 0)


def test_the_webhook_needs_its_networks_configured(
    client: FlaskClient, clock: VirtualClock
) -> None:
    assert post_json(client, URL, notification(clock)).status_code == 404


class FakeOk:
    """A stand-in for OK's REST endpoint on 127.0.0.1 that records each request."""

    def __init__(self, pages: dict[str, list[dict[str, Any]]]) -> None:
        self.pages = pages  # topic → pages, each {"comments": [...], ...}
        self.requests: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                params = dict(parse_qsl(urlsplit(self.path).query))
                fake.requests.append(params)
                topic_pages = fake.pages.get(params.get("discussionId", ""), [])
                index = int(params.get("anchor", "0"))
                # Past the last page: nothing new yet (OK keeps the anchor where it was).
                body = topic_pages[index] if index < len(topic_pages) else {"comments": []}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/fb.do"


@pytest.fixture
def fake_ok() -> Iterator[FakeOk]:
    fake = FakeOk({})
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def comment(number: int, author: str = "5551", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"MTU{number}",
        "text": f"Комментарий {number}",
        "author_id": author,
        "author_name": "Николай",
        "date": "2026-03-16 09:30:00",
        **extra,
    }


def test_polling_reads_every_page_signs_requests_and_takes_comments_once(
    fake_ok: FakeOk,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    configure: Callable[..., None],
) -> None:
    configure(
        "ok",
        application_key="CBAFKEY",
        application_secret_key="APPSECRET",
        access_token="tkn-group",
        group_id="70000001",
        topics="155001",
        api_url=fake_ok.url,
    )
    fake_ok.pages["155001"] = [
        {"comments": [comment(1), comment(2, author="70000001")], "has_more": True, "anchor": "1"},
        {"comments": [comment(3), {"id": "deleted"}], "has_more": False, "anchor": "2"},
    ]
    context = Context(sessions=sessions, runtime=web_runtime)
    with httpx.Client() as client:
        first = poll_municipality(context, "example", client)
        second = poll_municipality(context, "example", client)  # resumes at the stored anchor
        fake_ok.pages["155001"].append({"comments": [comment(4)], "has_more": False, "anchor": "3"})
        third = poll_municipality(context, "example", client)
    assert (first.accepted, first.skipped) == (2, 2)  # the group's own answer and a deleted one
    assert (second.accepted, second.duplicates) == (0, 0)
    assert (third.accepted, third.duplicates) == (1, 0)
    assert [r.get("anchor") for r in fake_ok.requests] == [None, "1", "2", "2"]
    assert fake_ok.requests[2]["direction"] == "FORWARD"
    request = fake_ok.requests[0]
    assert (
        request["method"] == "discussions.getComments"
        and request["discussionType"] == "GROUP_TOPIC"
    )
    assert request["discussionId"] == "155001" and request["access_token"] == "tkn-group"
    unsigned = {k: v for k, v in request.items() if k not in ("sig", "access_token")}
    assert request["sig"] == signature(unsigned, "tkn-group", "APPSECRET")
    one, three, four = messages(sessions)
    assert one.external_id == "topic_comment:155001_MTU1" and one.channel == "comment"
    assert one.url == "https://ok.ru/group/70000001/topic/155001"
    assert one.payload["reply_to"]["comment_id"] == "MTU1"
    assert one.instance_id is not None and one.instance_id == three.instance_id  # a repeat
    assert four.external_id == "topic_comment:155001_MTU4"


def test_an_error_of_ok_is_reported(
    fake_ok: FakeOk,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    configure: Callable[..., None],
) -> None:
    configure(
        "ok",
        application_key="K",
        application_secret_key="S",
        access_token="T",
        group_id="1",
        topics="404",
        api_url=fake_ok.url,
    )
    fake_ok.pages["404"] = [{"error_code": 102, "error_msg": "PARAM_SESSION_EXPIRED"}]
    with httpx.Client() as client, pytest.raises(PollError, match="102: PARAM_SESSION_EXPIRED"):
        poll_municipality(Context(sessions=sessions, runtime=web_runtime), "example", client)
    assert stored(sessions) == (0, 0)


def test_the_signature_follows_oks_rule() -> None:
    # md5("application_key=Aformat=jsonmethod=m" + md5("T" + "S"))
    import hashlib

    secret = hashlib.md5(b"TS").hexdigest()
    expected = hashlib.md5(("application_key=Aformat=jsonmethod=m" + secret).encode()).hexdigest()
    params = {"method": "m", "format": "json", "application_key": "A", "access_token": "T"}
    assert signature(params, "T", "S") == expected


def test_reglament_poll_ok_polls_configured_municipalities(
    fake_ok: FakeOk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        deploy_file(session, Runtime(processes_dir=PROCESSES), EXAMPLE_BPMN, "admin")
    engine.dispose()
    secrets = tmp_path / "secrets.yaml"  # the administrator's file outside git
    secrets.write_text(
        "example:\n  ok: {application_key: K, application_secret_key: S, access_token: T,\n"
        f"       group_id: '1', topics: '9', api_url: '{fake_ok.url}'}}\n",
        encoding="utf-8",
    )
    # The command runs on the real clock: the comment is an hour old (Moscow time, as OK gives).
    moscow = datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(hours=1)
    fake_ok.pages["9"] = [{"comments": [comment(1, date=moscow.strftime("%Y-%m-%d %H:%M:%S"))]}]
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", url)
    monkeypatch.setenv("REGLAMENT_SECRETS_FILE", str(secrets))
    runner = CliRunner()
    first = runner.invoke(main, ["poll", "ok"])
    assert first.exit_code == 0, first.output
    assert "example: новых 1, уже были 0" in first.output
    again = runner.invoke(main, ["poll", "ok", "-m", "example"])
    assert "example: новых 0, уже были 1" in again.output
    fake_ok.pages["9"] = [{"error_code": 100, "error_msg": "PARAM : Missing required parameter"}]
    failed = runner.invoke(main, ["poll", "ok"])
    assert failed.exit_code == 1 and "ошибка OK 100" in failed.output
