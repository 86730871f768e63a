"""Intake refuses bad input per field, in Russian, before the database sees it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import read_workflow
from engine.intake import InvalidMessage, correlation_key, receive_message
from engine.models import AuditEvent, Message, ProcessInstance
from engine.runtime import Runtime
from engine.settings import IntakeLimits
from engine.versions import NoActiveVersion
from tests.conftest import MSK
from tests.engine.helpers import deploy_example, send

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)  # the `clock` fixture's moment
STRING_FIELDS = ("municipality", "source", "external_id", "author", "author_id", "text")


def _rows(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Message, ProcessInstance, AuditEvent)
        )


def _refused(
    sessions: sessionmaker[Session], runtime: Runtime, **fields: Any
) -> dict[str, list[str]]:
    before = _rows(sessions)
    with pytest.raises(InvalidMessage) as refused:
        send(sessions, runtime, **fields)
    assert _rows(sessions) == before, "a refused message wrote something"
    errors: dict[str, list[str]] = refused.value.errors
    return errors


@pytest.fixture(autouse=True)
def _deployed(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    deploy_example(sessions, runtime)


@pytest.mark.parametrize(
    ("fields", "bad_field", "says"),
    [
        ({"author": "я" * 257}, "author", "Не длиннее 256 символов."),
        ({"author_id": "1" * 257}, "author_id", "Не длиннее 256 символов."),
        ({"external_id": "x" * 257}, "external_id", "Не длиннее 256 символов."),
        ({"thread_id": "t" * 257}, "thread_id", "Не длиннее 256 символов."),
        ({"url": "https://vk.com/" + "a" * 1010}, "url", "Не длиннее 1024 символов."),
        ({"source": "s" * 65}, "source", "Не длиннее 64 символов."),
        ({"text": "а" * 65537}, "text", "Не длиннее 65536 символов."),
        ({"text": ""}, "text", "Обязательное поле."),
        ({"text": " \n\t "}, "text", "Поле не может состоять из одних пробелов."),
        ({"author": "   "}, "author", "Поле не может состоять из одних пробелов."),
        ({"author_id": "\u2003"}, "author_id", "Поле не может состоять из одних пробелов."),
        ({"url": "ftp://vk.com/wall-1_1"}, "url", "Укажите правильную ссылку"),
        ({"url": "javascript:alert(1)"}, "url", "Укажите правильную ссылку"),
        ({"source": "vk2"}, "source", "Источник «vk2» не принимается"),
        ({"municipality": "atlantis"}, "municipality", "Неизвестный муниципалитет «atlantis»."),
        ({"municipality": "../etc"}, "municipality", "Неизвестный муниципалитет"),
        ({"text": 42}, "text", "Нужна строка."),
        ({"official_page": "maybe"}, "official_page", "Укажите «да» или «нет»."),
        ({"channel": "telegraph"}, "channel", "Выберите одно из значений"),
        ({"received_at": "9999-12-31T23:59:59+03:00"}, "received_at", "мин. в будущем"),
        ({"received_at": "0001-01-01T00:00:00+03:00"}, "received_at", "366 дн. в прошлом"),
        ({"received_at": "2026-03-16T10:00:00"}, "received_at", "часовым поясом"),
        ({"surprise": 1}, "surprise", "Неизвестное поле."),
    ],
)
def test_bad_field_is_refused_in_russian_and_nothing_is_written(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    fields: dict[str, Any],
    bad_field: str,
    says: str,
) -> None:
    errors = _refused(sessions, runtime, **fields)
    assert list(errors) == [bad_field], errors
    assert any(says in message for message in errors[bad_field]), errors


@pytest.mark.parametrize("name", [*STRING_FIELDS, "url", "thread_id"])
def test_a_nul_byte_is_refused_in_every_string_field(
    sessions: sessionmaker[Session], runtime: Runtime, name: str
) -> None:
    value = {"url": "https://vk.com/wall\x00-1", "municipality": "exam\x00ple"}.get(name, "ab\x00c")
    errors = _refused(sessions, runtime, **{name: value})
    assert name in errors, errors


def test_a_lone_surrogate_is_refused_not_left_to_the_driver(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    errors = _refused(sessions, runtime, text="\ud800 текст", payload={"page": "\udfff"})
    assert set(errors) == {"text", "payload"}


def test_every_limit_is_exact_and_the_database_takes_the_longest_values(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    # On PostgreSQL this is where an unchecked length used to be a DataError (a 500).
    intake = send(
        sessions,
        runtime,
        external_id="x" * 256,
        author="я" * 256,
        author_id="1" * 256,
        thread_id="t" * 256,
        url="https://vk.com/" + "a" * 1009,
        text="а" * 65536,
    )
    key = intake.message.correlation_key
    assert len(key) == 512 and key.startswith("example|vk|111")
    repeat = send(sessions, runtime, external_id="y", author_id="1" * 256, thread_id="t" * 256)
    assert repeat.repeat and repeat.message.instance_id == intake.result.instance.id


def test_a_long_correlation_key_keeps_its_head_and_tells_threads_apart() -> None:
    base = {"municipality": "example", "source": "vk", "author_id": "a" * 256}
    one = correlation_key({**base, "external_id": "1", "thread_id": "t" * 255 + "1"})
    two = correlation_key({**base, "external_id": "1", "thread_id": "t" * 255 + "2"})
    short = correlation_key({**base, "author_id": "a", "external_id": "9", "thread_id": None})
    assert len(one) == len(two) == 512 and one != two
    assert short == "example|vk|a|9"  # short keys are unchanged, so running cases still match


def test_the_text_limit_and_the_date_window_are_settings(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    strict = replace(
        runtime, intake=IntakeLimits(max_age_days=1, max_future_minutes=0, max_text=10)
    )
    assert "text" in _refused(sessions, strict, text="а" * 11)
    old = (NOW - timedelta(days=1, minutes=1)).isoformat()
    assert "received_at" in _refused(sessions, strict, received_at=old)
    ahead = (NOW + timedelta(minutes=1)).isoformat()
    assert "received_at" in _refused(sessions, strict, received_at=ahead)
    send(sessions, strict, text="а" * 10, received_at=(NOW - timedelta(days=1)).isoformat())


def test_the_date_window_follows_the_injected_clock_not_the_wall(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    late = datetime(2031, 1, 1, 12, 0, tzinfo=MSK)
    future = replace(runtime, clock=VirtualClock(late))
    with pytest.raises(InvalidMessage):  # today's date is years before that clock's now
        send(sessions, future, received_at=NOW.isoformat())
    edge = late + timedelta(minutes=10)
    assert not send(sessions, future, "2", received_at=edge.isoformat()).repeat
    assert "received_at" in _refused(
        sessions, future, external_id="3", received_at=(edge + timedelta(seconds=1)).isoformat()
    )
    oldest = late - timedelta(days=366)
    assert not send(sessions, future, "4", received_at=oldest.isoformat()).repeat


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        {1: "a key that is not a string"},
        {"": "an empty key"},
        {"k" * 65: "a long key"},
        {f"key{n}": n for n in range(65)},
        {"deep": {"a": {"b": {"c": {"d": 1}}}}},
        {"big": "x" * 16385},
        {"nan": float("nan")},
        {"inf": float("inf")},
        {"set": {1, 2}},
        {"bytes": b"raw"},
        {"when": NOW},
        {"nested": ["ok", "not\x00ok"]},
        {"huge": 10**5000},
    ],
)
def test_a_payload_that_is_not_small_plain_json_is_refused(
    sessions: sessionmaker[Session], runtime: Runtime, payload: Any
) -> None:
    assert list(_refused(sessions, runtime, payload=payload)) == ["payload"]


def test_the_engines_fields_win_over_the_payload_in_the_diagrams_message(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    payload = {"source": "forged", "official_page": True, "id": -1, "text": "x", "page": "head"}
    intake = send(sessions, runtime, official_page=False, payload=payload)
    with sessions() as session:
        workflow = read_workflow(session, runtime, intake.result.instance.id)
    seen = workflow.data["message"]
    assert seen["source"] == "vk" and seen["official_page"] is False
    assert seen["id"] == intake.message.id and seen["text"] == "Не вывозят мусор"
    assert seen["page"] == "head"  # the payload's own facts still reach the diagram
    assert workflow.data["source"] == "vk" and workflow.data["official_page"] is False


def test_a_municipality_lists_its_own_sources(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    errors = _refused(sessions, runtime, municipality="perm", source="telegram")
    assert errors == {
        "source": [
            "Источник «telegram» не принимается; допустимы: vk, ok, monitoring, incident_manager."
        ]
    }
    # example lists none: the default sources apply, manual monitoring among them.
    assert not send(sessions, runtime, source="manual").repeat


def test_a_known_municipality_without_an_active_version_is_a_clear_error(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    before = _rows(sessions)
    with pytest.raises(NoActiveVersion) as refused:
        send(sessions, runtime, municipality="perm", source="monitoring")
    assert "нет действующей версии регламента" in str(refused.value)
    assert refused.value.municipality == "perm"
    assert _rows(sessions) == before


def test_a_folder_without_settings_is_not_a_municipality(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    (tmp_path / "ghost").mkdir()
    elsewhere = replace(runtime, processes_dir=tmp_path)
    errors = _refused(sessions, elsewhere, municipality="ghost")
    assert errors["municipality"] == ["Неизвестный муниципалитет «ghost»."]


def test_a_message_that_is_not_a_mapping_is_refused(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    with sessions.begin() as session, pytest.raises(InvalidMessage) as refused:
        receive_message(session, runtime, ["not", "a", "dict"], "vk")  # type: ignore[arg-type]
    assert refused.value.errors == {"_schema": ["Неверные данные сообщения: нужен словарь полей."]}


def test_an_empty_thread_id_means_no_thread(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    intake = send(sessions, runtime, "77", thread_id="")
    assert intake.message.correlation_key == "example|vk|id100|77"
