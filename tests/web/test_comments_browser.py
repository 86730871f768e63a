"""In Chromium: a comment with a mention, and the mentioned colleague's counter and tab title."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.web.conftest import send_message
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser,
    csp_violations,
    live_url,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")


def test_a_mention_raises_the_colleagues_unread_counter(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
) -> None:
    case = send_message(sessions, web_runtime)
    housing = sign_in(browser, live_url, "housing")
    counter = housing.locator("#inbox-counter")  # type: ignore[attr-defined]
    counter.wait_for()
    assert counter.locator(".badge").count() == 0
    assert not re.match(r"^\(\d+\)", housing.title())  # type: ignore[attr-defined]

    curator = sign_in(browser, live_url, "curator")
    curator.goto(f"{live_url}/cases/{case}")  # type: ignore[attr-defined]
    form = curator.locator("#comments form")  # type: ignore[attr-defined]
    form.wait_for()
    curator.get_by_label("Заметка для коллег", exact=True).fill("Уточните адрес")  # type: ignore[attr-defined]
    curator.get_by_label("Борис ЖКХ", exact=True).check()  # type: ignore[attr-defined]
    curator.get_by_role("button", name="Отправить комментарий").click()  # type: ignore[attr-defined]
    curator.locator(".comment-body", has_text="Уточните адрес").wait_for()  # type: ignore[attr-defined]
    curator.get_by_label("Заметка для коллег", exact=True).fill("Спросите @nobody")  # type: ignore[attr-defined]
    curator.get_by_role("button", name="Отправить комментарий").click()  # type: ignore[attr-defined]
    curator.get_by_text("Нет такого сотрудника в этом муниципалитете: @nobody").wait_for()  # type: ignore[attr-defined]
    shot(curator, "comments-01-card-with-comment-and-error")

    # The counter polls every second here (TASK_LIST_POLL_SECONDS=1): no reload needed.
    counter.locator(".badge", has_text="1").wait_for(timeout=10000)
    housing.wait_for_function("document.title.startsWith('(1) ')")  # type: ignore[attr-defined]
    shot(housing, "comments-02-counter-for-the-mentioned")
    counter.click()
    housing.get_by_text("Анна Куратор упоминает вас в комментарии").wait_for()  # type: ignore[attr-defined]
    shot(housing, "comments-03-my-notices")
    housing.get_by_role("button", name="Отметить прочитанным").click()  # type: ignore[attr-defined]
    housing.get_by_role("heading", name="Мои уведомления").wait_for()  # type: ignore[attr-defined]
    assert housing.locator("#inbox-counter .badge").count() == 0  # type: ignore[attr-defined]
    assert not re.match(r"^\(\d+\)", housing.title())  # type: ignore[attr-defined]
    housing.get_by_role("link", name="Настройки писем").click()  # type: ignore[attr-defined]
    housing.get_by_label("Одна сводка в день").check()  # type: ignore[attr-defined]
    housing.get_by_role("button", name="Сохранить").click()  # type: ignore[attr-defined]
    housing.get_by_text("Настройки писем сохранены.").wait_for()  # type: ignore[attr-defined]
    assert housing.get_by_label("Одна сводка в день").is_checked()  # type: ignore[attr-defined]
    shot(housing, "comments-04-mail-preferences")
