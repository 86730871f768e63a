"""The manual-intake form's mapping lives in the engine: the web page and scenarios share it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.intake import InvalidMessage, receive_message
from engine.intake_forms import INTAKE_FORMS, MANUAL_FIELDS, manual_intake_message
from engine.runtime import Runtime
from tests.conftest import MSK
from tests.engine.helpers import deploy_example

KAMCHATKA = ZoneInfo("Asia/Kamchatka")
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=MSK)
TYPED = {
    "source": "ok",
    "external_id": "",
    "channel": "",
    "author": "Мария Сидорова",
    "author_id": "",
    "text": "Нет света в подъезде",
    "url": "https://ok.ru/group/1/topic/77",
    "received_at": "2026-03-16T09:40",
    "official_page": "1",
}


def test_the_form_fills_what_staff_leave_empty_and_reads_local_time_in_the_zone() -> None:
    assert manual_intake_message(TYPED, "palana", KAMCHATKA, NOW) == {
        "municipality": "palana",
        "source": "ok",
        "external_id": "https://ok.ru/group/1/topic/77",
        "channel": "feed",
        "official_page": True,
        "author": "Мария Сидорова",
        "author_id": "Мария Сидорова",
        "text": "Нет света в подъезде",
        "url": "https://ok.ru/group/1/topic/77",
        "received_at": "2026-03-16T09:40:00+12:00",
        "payload": {"found_by": "manual_monitoring"},
    }
    assert set(MANUAL_FIELDS) == set(TYPED) and INTAKE_FORMS["manual"].fields == MANUAL_FIELDS


def test_empty_answers_are_missing_and_an_empty_time_is_now() -> None:
    built = manual_intake_message({"source": "vk", "text": "Яма"}, "example", MSK, NOW)
    assert built["received_at"] == NOW.isoformat() and built["official_page"] is False
    assert "author" not in built and "external_id" not in built and "url" not in built


def test_an_unreadable_time_is_refused_in_russian() -> None:
    with pytest.raises(InvalidMessage) as refused:
        manual_intake_message({**TYPED, "received_at": "вчера"}, "example", MSK, NOW)
    assert refused.value.errors == {"received_at": ["Укажите дату и время."]}


def test_the_built_message_is_received(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    deploy_example(sessions, runtime)
    incoming = manual_intake_message(TYPED, "example", MSK, runtime.clock.now())
    with sessions.begin() as session:
        intake = receive_message(session, runtime, incoming, "curator")
        assert intake.message.payload == {"found_by": "manual_monitoring"}
        assert intake.message.received_at == datetime(2026, 3, 16, 6, 40, tzinfo=ZoneInfo("UTC"))
