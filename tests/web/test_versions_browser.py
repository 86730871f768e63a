"""In headless Chromium: an administrator compares v2, dry-runs, migrates and rolls back."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.versioning.runs import worker_job
from engine.versions import active_version
from tests.web.conftest import send_message
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser,
    csp_violations,
    live_url,
    shot,
    sign_in,
)
from tests.web.test_versions_admin import with_v2  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("with_v2")
def test_diff_dry_run_migrate_and_roll_back_in_the_browser(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
) -> None:
    case = send_message(sessions, web_runtime)
    page: object = sign_in(browser, live_url, "example.admin")
    page.get_by_role("link", name="Версии регламента").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Версии регламента", level=1).wait_for()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Сравнить").click()  # type: ignore[attr-defined]
    page.get_by_text("Шаг «Согласовать ответ» добавлен").wait_for()  # type: ignore[attr-defined]
    for side in ("old", "new"):
        page.wait_for_selector(f"#diagram-{side}[data-ready=true]")  # type: ignore[attr-defined]
    page.locator("#diagram-new [data-element-id=approve].diff-added").wait_for()  # type: ignore[attr-defined]
    page.locator("#diagram-old [data-element-id=review].diff-changed").wait_for()  # type: ignore[attr-defined]
    shot(page, "versions-01-diff")
    page.get_by_role("link", name="К списку версий").click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Пробный перенос").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Пробный перенос дел: v1 → v2").wait_for()  # type: ignore[attr-defined]
    shot(page, "versions-02-dry-run")
    page.get_by_label("Подтверждаю").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Перенести дела").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Перенос дел № 1: v1 → v2").wait_for()  # type: ignore[attr-defined]
    page.get_by_text("В очереди: ждёт фонового обработчика").wait_for()  # type: ignore[attr-defined]
    while worker_job(sessions, web_runtime, threading.Event()) is not None:
        pass  # the worker's wake-ups; the page polls and shows the outcome by itself
    page.get_by_text("Перенос дел выполнен").wait_for()  # type: ignore[attr-defined]
    page.get_by_text("Обработано 1 из 1").wait_for()  # type: ignore[attr-defined]
    shot(page, "versions-03-migrated")
    with sessions() as session:
        assert session.get_one(ProcessInstance, case).version_id == 2
    page.get_by_role("link", name="К списку версий").click()  # type: ignore[attr-defined]
    activate = page.locator("form[action$='/versions/activate']")  # type: ignore[attr-defined]
    activate.get_by_role("combobox").select_option("v2")
    activate.get_by_label("Подтверждаю").check()
    activate.get_by_role("button", name="Ввести в действие").click()
    page.get_by_text("Версия «v2» введена в действие.").wait_for()  # type: ignore[attr-defined]
    rollback = page.locator("form[action$='/versions/rollback']")  # type: ignore[attr-defined]
    rollback.get_by_label("Подтверждаю").check()
    rollback.get_by_role("button", name="Откатить").click()
    page.get_by_text("Откат на предыдущую версию выполнен.").wait_for()  # type: ignore[attr-defined]
    shot(page, "versions-04-rolled-back")
    with sessions() as session:
        assert active_version(session, "example").label == "v1"
