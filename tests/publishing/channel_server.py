"""A stand-in for the VK, Telegram and MAX APIs on 127.0.0.1 that records every request.

It answers as the documented APIs do, including VK's dropping of a resend with the same `guid`
(wall.createComment) or `random_id` (messages.send). Tests script failures ahead of the normal
answer and may hold a request after recording it (to kill the worker before it hears back).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request as the channel received it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    json: Any
    headers: dict[str, str]
    at: float  # monotonic seconds


@dataclass
class ChannelState:
    """What the stand-in has published and what it will answer next."""

    requests: list[Recorded] = field(default_factory=list)
    comments: dict[str, int] = field(default_factory=dict)  # VK guid → comment id
    messages: dict[str, int] = field(default_factory=dict)  # VK random_id → message id
    posted: list[dict[str, Any]] = field(default_factory=list)  # every answer really published
    # path suffix → answers (status, body) given before the normal one, in order
    scripted: defaultdict[str, deque[tuple[int, Any]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    hold_next: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, suffix: str, *answers: tuple[int, Any]) -> None:
        """Answer the next requests to a path ending in `suffix` with these, then normally."""
        self.scripted[suffix].extend(answers)

    def calls(self, suffix: str) -> list[Recorded]:
        """The recorded requests to paths ending in `suffix`."""
        return [request for request in self.requests if request.path.endswith(suffix)]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_: Any) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind = self.headers.get("Content-Type", "")
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()} if "form" in kind else {}
        body = json.loads(raw) if "json" in kind and raw else None
        recorded = Recorded(
            "POST",
            parts.path,
            {k: v[0] for k, v in parse_qs(parts.query).items()},
            form,
            body,
            dict(self.headers.items()),
            time.monotonic(),
        )
        with state.lock:
            state.requests.append(recorded)
            hold = state.hold_next.is_set()
            state.hold_next.clear()
        status, answer = self._answer(recorded)
        if hold:  # published, but the caller does not hear back until released
            state.held.set()
            state.release.wait(30)
        with contextlib.suppress(OSError):  # the caller was killed while held
            self._reply(status, answer)

    def _answer(self, request: Recorded) -> tuple[int, Any]:
        state = self.server.state
        with state.lock:
            for suffix, answers in state.scripted.items():
                if request.path.endswith(suffix) and answers:
                    return answers.popleft()
            return _published(state, request)

    def _reply(self, status: int, answer: Any) -> None:
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _published(state: ChannelState, request: Recorded) -> tuple[int, Any]:
    if request.path == "/method/wall.createComment":
        guid = request.form["guid"]
        if guid not in state.comments:  # VK: a second call with the same guid posts nothing
            state.comments[guid] = 500 + len(state.comments)
            state.posted.append({"channel": "vk", **request.form})
        return 200, {"response": {"comment_id": state.comments[guid], "parents_stack": []}}
    if request.path == "/method/messages.send":
        key = f"{request.form['peer_id']}:{request.form['random_id']}"
        if key not in state.messages:
            state.messages[key] = 900 + len(state.messages)
            state.posted.append({"channel": "vk", **request.form})
        return 200, {"response": state.messages[key]}
    if request.path.endswith("/sendMessage"):
        if "revoked" in request.path:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        state.posted.append({"channel": "telegram", **request.json})
        number = 40 + len(state.posted)
        chat = {"id": request.json["chat_id"], "type": "supergroup", "username": "town_talk"}
        return 200, {"ok": True, "result": {"message_id": number, "chat": chat}}
    if request.path == "/messages":
        state.posted.append({"channel": "max", **request.query, **request.json})
        mid = f"mid.{len(state.posted)}"
        return 200, {"message": {"body": {"mid": mid, "text": request.json["text"]}}}
    return 404, {"error": "unknown method"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ChannelState


class ChannelServer:
    """The running stand-in: its base URL and state."""

    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = ChannelState()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def state(self) -> ChannelState:
        """What it received and published."""
        return self.server.state

    def __enter__(self) -> ChannelServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.state.release.set()
        self.server.shutdown()
        self.server.server_close()
