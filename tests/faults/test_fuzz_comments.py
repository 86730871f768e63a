"""Fuzzed comments: a 4xx with nothing stored, or a comment and its notices — never a 500."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.models import CaseComment, UserNotice
from tests.web.conftest import login, make_app, send_message
from web.db import extension_state

pytestmark = pytest.mark.faults
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hostile = st.one_of(
    st.sampled_from(["", " ", "\x00", "я" * 4001, "@", "@@housing", "@perm", "@housing\x00"]),
    st.text(max_size=80),
)
logins = st.sampled_from(["housing", "roads", "perm", "nobody", "", "housing\x00", "h" * 300])


@pytest.fixture
def app(tmp_path: Path, clock: VirtualClock) -> Iterator[Flask]:
    """The web app of tests/web on its own SQLite file."""
    flask_app = make_app(tmp_path, clock)
    yield flask_app
    extension_state(flask_app)["engine"].dispose()


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        comments = session.scalar(select(func.count()).select_from(CaseComment)) or 0
        notices = session.scalar(select(func.count()).select_from(UserNotice)) or 0
    return comments, notices


def test_fuzzed_comments_are_refused_cleanly_or_stored(app: Flask) -> None:
    sessions = extension_state(app)["sessions"]
    runtime = extension_state(app)["runtime"]
    case = send_message(sessions, runtime)
    curator = login(app.test_client(), "curator")
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(hostile, st.lists(logins, max_size=3), st.booleans())
    def post(body: str, mentions: list[str], htmx: bool) -> None:
        before = _counts(sessions)
        headers = {"HX-Request": "true"} if htmx else {}
        data = {"body": body, "mention": mentions}
        response = curator.post(f"/cases/{case}/comments", data=data, headers=headers)
        statuses[response.status_code] += 1
        # 400: a NUL anywhere in a request is refused before any view (web/security.py).
        assert response.status_code in (200, 302, 400, 422), response.status_code
        after = _counts(sessions)
        if response.status_code in (200, 302):
            assert after[0] == before[0] + 1
        else:
            assert after == before, f"a refused comment wrote something: {data!r}"

    post()
    assert statuses[422] and (statuses[200] or statuses[302]), statuses
