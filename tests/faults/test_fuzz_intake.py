"""Fuzzed intake: every message is refused with a field error or accepted whole, never half."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.intake import DuplicateMessage, InvalidMessage, receive_message
from engine.models import AuditEvent, Message, OpenUserTask, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.versions import NoActiveVersion
from tests.conftest import MSK
from tests.engine.helpers import deploy_example

pytestmark = pytest.mark.faults
EXAMPLES = 80
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)  # the `clock` fixture's moment
CYRILLIC = re.compile("[а-яА-ЯёЁ]")
TABLES = (Message, ProcessInstance, AuditEvent, OpenUserTask)
FIELDS = (
    "municipality",
    "source",
    "external_id",
    "channel",
    "official_page",
    "author",
    "author_id",
    "text",
    "url",
    "thread_id",
    "received_at",
    "payload",
)
VALID = {
    "municipality": "example",
    "source": "vk",
    "external_id": "1",
    "author": "Иван Петров",
    "author_id": "id100",
    "text": "Не вывозят мусор",
    "received_at": NOW.isoformat(),
}

# Every character, surrogates and controls included, and the strings that broke intake before.
characters = st.characters(codec=None, exclude_categories=())
edge_strings = st.sampled_from(
    [
        "",
        " ",
        "\t\n\u2003",
        "\x00",
        "a\x00b",
        "\ud800",
        "я" * 257,
        "x" * 1025,
        "я" * 65537,
        "vk",
        "ok",
        "manual",
        "monitoring",
        "example",
        "perm",
        "atlantis",
        "../example",
        "feed",
        "private",
        "https://vk.com/wall-1_1",
        "ftp://vk.com/x",
        "javascript:alert(1)",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
        "2026-03-16T10:00:00",
        "не дата",
    ]
)
strings = st.one_of(edge_strings, st.text(characters, max_size=40), st.text(max_size=300))
wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
moments = st.one_of(
    st.integers(-400 * 24 * 60, 60).map(lambda minutes: NOW + timedelta(minutes=minutes)),
    st.datetimes(timezones=st.timezones()),
    st.datetimes(),  # naive
).map(lambda moment: moment.isoformat())
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(characters, max_size=20)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(characters, max_size=8), inner)
    ),
    max_leaves=30,
)
payloads = st.one_of(
    st.dictionaries(st.text(characters, max_size=70), json_values, max_size=6),
    st.just({"big": "x" * 20000}),
    st.just({f"k{n}": n for n in range(70)}),
    wrong_types,
)


words = st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=80)
# Values that fit, so that cases start, duplicates are refused and repeats are delivered.
FITTING: dict[str, st.SearchStrategy[Any]] = {
    "source": st.sampled_from(["vk", "ok", "manual"]),
    "external_id": st.one_of(st.sampled_from(["1", "2", "3"]), words),
    "channel": st.sampled_from(["feed", "private", "comment"]),
    "official_page": st.booleans(),
    "author": words,
    "author_id": st.sampled_from(["id100", "id200"]),
    "text": words,
    "url": st.sampled_from(["https://vk.com/wall-1_1", "http://ok.ru/group/1/topic/2", None]),
    "thread_id": st.sampled_from(["post-1", "post-2", None]),
    "received_at": st.integers(-365 * 24 * 60, 10).map(
        lambda minutes: (NOW + timedelta(minutes=minutes)).isoformat()
    ),
    "payload": st.dictionaries(st.sampled_from(["page", "source", "id", "found_by"]), words),
}
HOSTILE = {"received_at": moments, "payload": payloads}


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    """A valid message with fields changed to other valid values, to hostile ones, or dropped."""
    message: dict[str, Any] = {**VALID, "external_id": draw(st.uuids()).hex}
    for name in draw(st.lists(st.sampled_from(sorted(FITTING)), max_size=6, unique=True)):
        message[name] = draw(FITTING[name])
    if draw(st.integers(0, 2)) == 0:
        for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
            message[name] = draw(st.one_of(HOSTILE.get(name, strings), wrong_types))
    if draw(st.integers(0, 9)) == 0:
        message.pop(draw(st.sampled_from(sorted(VALID))))
    if draw(st.integers(0, 9)) == 0:
        message[draw(st.text(max_size=10))] = draw(strings)
    return message


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0 for table in TABLES
        )


def _russian(errors: dict[str, Any]) -> bool:
    messages = _flat(errors)
    return bool(messages) and all(CYRILLIC.search(message) for message in messages)


def _flat(found: Any) -> list[str]:
    if isinstance(found, str):
        return [found]
    items = found.values() if isinstance(found, dict) else found
    return [message for item in items for message in _flat(item)]


def _check_accepted(sessions: sessionmaker[Session], message_id: int, repeat: bool) -> None:
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.instance_id is not None, "an accepted message without its case"
        case = session.get_one(ProcessInstance, message.instance_id)
        assert case.correlation_key == message.correlation_key
        if not repeat:
            assert case.status is InstanceStatus.RUNNING
            tasks = session.scalars(
                select(OpenUserTask).where(OpenUserTask.instance_id == case.id)
            ).all()
            assert [task.element_id for task in tasks] == ["screen"]


def test_fuzzed_messages_are_refused_per_field_or_accepted_whole(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    report_figure: Callable[[str, Any], None],
) -> None:
    deploy_example(sessions, runtime)
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(messages())
    def receive(incoming: dict[str, Any]) -> None:
        before = _counts(sessions)
        try:
            with sessions.begin() as session:
                intake = receive_message(session, runtime, incoming, "fuzz")
                found = (intake.message.id, intake.repeat)
        except InvalidMessage as refused:
            assert _russian(refused.errors), refused.errors
            assert set(refused.errors) <= {*FIELDS, *incoming, "_schema"}, refused.errors
            outcomes["refused"] += 1
        except DuplicateMessage as duplicate:
            assert duplicate.instance_id is not None
            outcomes["duplicate"] += 1
        except NoActiveVersion as refused:
            assert CYRILLIC.search(str(refused))
            outcomes["no active version"] += 1
        else:
            after = _counts(sessions)
            assert after[0] == before[0] + 1, "one message row per accepted message"
            assert after[1] == before[1] + (0 if found[1] else 1)
            _check_accepted(sessions, *found)
            outcomes["repeat" if found[1] else "new case"] += 1
            return
        assert _counts(sessions) == before, f"a refused message wrote something: {incoming!r}"

    receive()
    report_figure("examples", sum(outcomes.values()))
    for outcome, count in sorted(outcomes.items()):
        report_figure(outcome, count)
    assert outcomes["refused"] and outcomes["new case"], outcomes  # both sides were exercised
