"""A scheduled duty's case in the task list and on its card: no message, the duty instead."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.runtime import Runtime
from engine.scheduler import tick
from tests.conftest import MSK
from tests.web.conftest import login


def test_a_duty_case_is_listed_and_its_card_shows_the_duty(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    clock.set(datetime(2026, 4, 1, 9, 30, tzinfo=MSK))
    [case_id] = tick(sessions, web_runtime).duties
    client = login(app.test_client(), "curator")
    listing = client.get("/")
    assert listing.status_code == 200
    assert "Подготовить анализ сообщений за месяц" in listing.text
    assert "Ежемесячный анализ сообщений" in listing.text  # the duty in the message's column
    card = client.get(f"/cases/{case_id}")
    assert card.status_code == 200
    assert "Ежемесячный анализ сообщений" in card.text
    assert "ежемесячно, в первый рабочий день месяца" in card.text
    assert "Обязанность по расписанию: дело открыто" in card.text
