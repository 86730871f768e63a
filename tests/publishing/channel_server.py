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
from email.parser import BytesParser
from email.policy import default
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
    # multipart/form-data file parts: field name → (filename, content type, bytes)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)


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
    uploads: list[tuple[str, str, str, bytes]] = field(default_factory=list)  # MAX upload URL
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
        files: dict[str, tuple[str, str, bytes]] = {}
        if kind.startswith("multipart/form-data"):
            form, files = _multipart(kind, raw)
        else:
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
            files,
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


def _multipart(kind: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """A multipart/form-data body's text fields and file parts, parsed as a server would."""
    message = BytesParser(policy=default).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + raw)
    form: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            form[name] = content.decode()
        else:
            files[name] = (filename, part.get_content_type(), content)
    return form, files


def _telegram_message(state: ChannelState, request: Recorded, fields: dict[str, Any]) -> Any:
    state.posted.append({"channel": "telegram", **fields})
    number = 40 + len(state.posted)
    chat = {"id": int(fields["chat_id"]), "type": "supergroup", "username": "town_talk"}
    return {"message_id": number, "chat": chat}


def _photos(state: ChannelState, request: Recorded) -> tuple[int, Any] | None:
    """The photo methods of Telegram and MAX's upload flow and comments."""
    path = request.path
    if path.endswith("/sendPhoto"):
        fields = {**request.form, "photos": [request.files["photo"]]}
        return 200, {"ok": True, "result": _telegram_message(state, request, fields)}
    if path.endswith("/sendMediaGroup"):
        media = json.loads(request.form["media"])
        photos = [request.files[item["media"].removeprefix("attach://")] for item in media]
        first = _telegram_message(state, request, {**request.form, "photos": photos})
        rest = [{**first, "message_id": first["message_id"] + n} for n in range(1, len(photos))]
        return 200, {"ok": True, "result": [first, *rest]}
    if path == "/uploads":
        host, port = request.headers["Host"].split(":")
        return 200, {"url": f"http://{host}:{port}/upload-target?sig=abc"}
    if path == "/upload-target":
        [(name, kind, content)] = request.files.values()
        token = f"photo-token-{len(state.uploads)}"
        state.uploads.append((token, name, kind, content))
        return 200, {"photos": {"p1": {"token": token}}}
    if path.startswith("/messages/") and path.endswith("/comments"):
        state.posted.append({"channel": "max-comment", "post": path.split("/")[2], **request.json})
        mid = f"mid.c{len(state.posted)}"
        return 200, {"message": {"body": {"mid": mid, "text": request.json["text"]}}}
    return None


def _published(state: ChannelState, request: Recorded) -> tuple[int, Any]:
    photo_answer = _photos(state, request)
    if photo_answer is not None:
        return photo_answer
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
