"""Fuzzed webhooks: any field of a documented payload replaced by any JSON value is accepted,
skipped or refused with 400, never a server error, and a refused delivery stores nothing."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from tests.adapters import test_max, test_ok, test_telegram, test_vk
from tests.adapters.conftest import post_json, stored

EXAMPLES = 80
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
_numbers = itertools.count(1)


def _bodies(
    clock: VirtualClock, number: int
) -> dict[str, tuple[str, dict[str, Any], dict[str, str]]]:
    """A documented body per channel, unique per example so none is a duplicate of another."""
    vk = test_vk.event(
        "wall_reply_new", test_vk.comment(clock, comment_id=number), event_id=f"f{number}"
    )
    telegram = test_telegram.update(number, test_telegram.group_message(clock, message_id=number))
    maxed = test_max.created(clock, mid=f"mid.f{number}")
    ok = test_ok.notification(clock, mid=f"mid:f{number}")
    return {
        "vk": (test_vk.URL, vk, {}),
        "telegram": (test_telegram.URL, telegram, test_telegram.HEADER),
        "max": (test_max.URL, maxed, test_max.HEADER),
        "ok": (test_ok.URL, ok, {}),
    }


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a JSON body (the places a value can be replaced)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    return found


def _replace(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    channel=st.sampled_from(["vk", "telegram", "max", "ok"]),
    pick=st.integers(0, 10_000),
    value=json_values,
)
def test_a_fuzzed_field_is_accepted_or_refused_whole(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    clock: VirtualClock,
    configure: Callable[..., None],
    channel: str,
    pick: int,
    value: Any,
) -> None:
    configure("vk", confirmation="c", secret=test_vk.SECRET, group_id=str(test_vk.GROUP))
    configure("telegram", secret=test_telegram.SECRET, discussion_chat_id=str(test_telegram.GROUP))
    configure("max", secret=test_max.SECRET)
    configure("ok", networks="127.0.0.0/8", chat_ids=test_ok.CHAT)
    url, body, headers = _bodies(clock, next(_numbers))[channel]
    paths = _paths(body)
    fuzzed = _replace(body, paths[pick % len(paths)], value)
    before = stored(sessions)
    answer = post_json(client, url, fuzzed, **headers)
    assert answer.status_code in (200, 400, 403), answer.text
    if answer.status_code != 200:
        assert stored(sessions) == before
