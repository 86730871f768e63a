"""Step forms in Chromium: fields by decision, the button's words, focus on the first error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.web.browsing import axe_violations
from tests.web.conftest import send_message
from tests.web.test_browser import browser, csp_violations, live_url, open_task, shot, sign_in

pytestmark = pytest.mark.browser
__all__ = ["browser", "csp_violations", "live_url"]  # fixtures this module reuses


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
