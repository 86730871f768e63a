"""Step forms in Chromium: fields by decision, the button's words, focus on the first error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.instances import complete_task
from engine.runtime import Runtime
from tests.web.browsing import axe_violations
from tests.web.conftest import send_message
from tests.web.helpers import complete, routed_case, tasks_of
from tests.web.test_browser import browser, csp_violations, live_url, open_task, shot, sign_in

pytestmark = pytest.mark.browser
__all__ = ["browser", "csp_violations", "live_url"]  # fixtures this module reuses

HOUSING_DRAFT = "Здравствуйте! Подрядчик починит крышу до пятницы."


def drafted_case(sessions: sessionmaker[Session], runtime: Runtime, source: str) -> int:
    """A case from `source` routed to housing and roads, both of which drafted an answer."""
    message = send_message(sessions, runtime, text="Крыша и яма", source=source)
    case = routed_case(sessions, runtime, message)
    for task in tasks_of(sessions, case, "draft_answer"):
        data = {"answer_kind": "final", "answer_text": f"{HOUSING_DRAFT} ({task.department})"}
        complete_as(sessions, runtime, task.task_id, data, str(task.department))
    return case


def complete_as(
    sessions: sessionmaker[Session], runtime: Runtime, task_id: str, data: Any, actor: str
) -> None:
    """Complete one task as a given user."""
    with sessions.begin() as session:
        complete_task(session, runtime, task_id, data, actor)


def test_fields_follow_the_decision_the_button_says_what_it_does_and_errors_take_focus(
    live_url: str, browser: Any, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    send_message(sessions, web_runtime)
    curator = sign_in(browser, live_url, "curator")
    open_task(curator, "Рассмотреть сообщение")
    agency = curator.get_by_label("Куда перенаправить (ведомство)")
    reason = curator.get_by_label("Нецензурная брань")
    agency.wait_for(state="hidden")
    assert not reason.is_visible()  # nothing chosen: only the decision is shown
    curator.get_by_label("Не рассматривается", exact=True).check()
    reason.wait_for(state="visible")
    assert not agency.is_visible()
    curator.get_by_label("Перенаправить (вне компетенции)", exact=True).check()
    agency.wait_for(state="visible")
    assert not reason.is_visible()
    assert curator.locator(".required-note").inner_text() == "* обязательное поле"
    assert axe_violations(curator) == []

    curator.get_by_role("button", name="Отправить решение").click()  # the form's own words
    curator.get_by_text("Форма не отправлена").wait_for()
    focused = curator.evaluate("document.activeElement.closest('[data-field]').dataset.field")
    first_error = curator.locator(".has-errors").first.get_attribute("data-field")
    assert focused == first_error == "redirect_to"
    assert axe_violations(curator) == []
    shot(curator, "form-01-refused-focus-on-first-error")

    curator.get_by_label("Взять в работу", exact=True).check()
    curator.get_by_role("button", name="Отправить решение").click()
    curator.get_by_text("Следующий шаг этого дела: «Направить исполнителям».").wait_for()
    assert curator.get_by_role("button", name="Направить исполнителям").count() == 1


@pytest.mark.parametrize(
    ("source", "look"),
    [("vk", "channel-vk"), ("telegram", "channel-telegram"), ("max", "channel-max")],
)
def test_the_publication_previews_the_answer_as_the_channel_shows_it(
    live_url: str,
    browser: Any,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    source: str,
    look: str,
) -> None:
    case = drafted_case(sessions, web_runtime, source)
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    (publish,) = tasks_of(sessions, case, "publish")
    curator = sign_in(browser, live_url, "curator")
    curator.goto(f"{live_url}/tasks/{publish.task_id}")
    preview = curator.locator(f"#channel-preview.{look}")
    preview.wait_for()
    assert HOUSING_DRAFT in curator.locator("#preview-text").inner_text()
    assert "Крыша и яма" in preview.inner_text()  # under the message it answers
    curator.get_by_label("Текст ответа, как он опубликован").fill("Здравствуйте! Всё починим.")
    assert curator.locator("#preview-text").inner_text() == "Здравствуйте! Всё починим."
    assert curator.locator("#preview-count").inner_text() == "26"
    assert not curator.locator("#preview-over").is_visible()
    curator.get_by_label("Текст ответа, как он опубликован").fill("я" * 4097)  # over every limit
    curator.locator("#preview-over").wait_for()  # longer than the channel accepts
    curator.get_by_label("Текст ответа, как он опубликован").fill("Здравствуйте! Всё починим.")
    assert axe_violations(curator) == []
    shot(curator, f"form-02-preview-{source}")
