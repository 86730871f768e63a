"""In headless Chromium: an account created, its password reset, its owner signing in."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser,
    csp_violations,
    live_url,
    shot,
    sign_in,
    watch_csp,
)

pytestmark = pytest.mark.browser


def _owner_signs_in(chromium: object, base: str, password: str) -> object:
    """Sign in as the new colleague: the page asks for a new password and nothing else."""
    page: object = chromium.new_page(viewport={"width": 1366, "height": 900}, locale="ru-RU")  # type: ignore[attr-defined]
    watch_csp(page, chromium.csp_violations)  # type: ignore[attr-defined]
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("#login", "ivanova")  # type: ignore[attr-defined]
    page.fill("#password", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/password")  # type: ignore[attr-defined]
    page.goto(f"{base}/messages/")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/password")  # type: ignore[attr-defined]
    return page


def test_an_account_is_created_reset_and_its_owner_chooses_a_password(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        create_user(
            session,
            login="admin",
            password=PASSWORD,
            full_name="Алла Админ",
            roles=["administrator"],
            municipality="example",
        )
    admin: object = sign_in(browser, live_url, "admin")
    admin.get_by_role("link", name="Сотрудники").click()  # type: ignore[attr-defined]
    admin.get_by_role("link", name="Новая учётная запись").click()  # type: ignore[attr-defined]
    admin.get_by_label("ФИО").fill("Ирина Иванова")  # type: ignore[attr-defined]
    admin.get_by_label("Логин").fill("ivanova")  # type: ignore[attr-defined]
    admin.get_by_label("исполнитель", exact=True).check()  # type: ignore[attr-defined]
    admin.get_by_label("Временный пароль").fill("first-pass-1")  # type: ignore[attr-defined]
    admin.get_by_role("button", name="Создать учётную запись").click()  # type: ignore[attr-defined]
    admin.get_by_text("нужно подразделение").wait_for()  # type: ignore[attr-defined]
    shot(admin, "people-01-field-error")
    admin.get_by_label("Подразделение").select_option("housing")  # type: ignore[attr-defined]
    admin.get_by_label("Временный пароль").fill("first-pass-1")  # type: ignore[attr-defined]
    admin.get_by_role("button", name="Создать учётную запись").click()  # type: ignore[attr-defined]
    admin.get_by_text("Учётная запись «Ирина Иванова» создана.").wait_for()  # type: ignore[attr-defined]
    shot(admin, "people-02-list")

    owner = _owner_signs_in(browser, live_url, "first-pass-1")
    owner.locator("#f-password").fill("chosen-pass-1")  # type: ignore[attr-defined]
    owner.locator("#f-repeat").fill("chosen-pass-1")  # type: ignore[attr-defined]
    owner.get_by_role("button", name="Сохранить пароль").click()  # type: ignore[attr-defined]
    owner.get_by_text("Новый пароль сохранён.").wait_for()  # type: ignore[attr-defined]
    owner.get_by_role("heading", name="Задачи").first.wait_for()  # type: ignore[attr-defined]

    admin.get_by_role("link", name="Ирина Иванова").click()  # type: ignore[attr-defined]
    admin.get_by_label("Временный пароль").fill("reset-pass-1")  # type: ignore[attr-defined]
    admin.get_by_role("button", name="Сбросить пароль").click()  # type: ignore[attr-defined]
    admin.get_by_text("Пароль сотрудника «Ирина Иванова» сброшен.").wait_for()  # type: ignore[attr-defined]
    owner.reload()  # type: ignore[attr-defined]
    owner.wait_for_url(lambda url: "/login" in url)  # type: ignore[attr-defined]  (signed out)
    again = _owner_signs_in(browser, live_url, "reset-pass-1")
    again.get_by_text("Администратор сбросил ваш пароль").wait_for()  # type: ignore[attr-defined]
    shot(again, "people-03-forced-password")
    again.locator("#f-password").fill("second-pass-1")  # type: ignore[attr-defined]
    again.locator("#f-repeat").fill("second-pass-1")  # type: ignore[attr-defined]
    again.get_by_role("button", name="Сохранить пароль").click()  # type: ignore[attr-defined]
    again.get_by_text("Новый пароль сохранён.").wait_for()  # type: ignore[attr-defined]
