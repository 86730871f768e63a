"""The task list in Chromium: the refresh keeps focus and scroll, new tasks wait behind a link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.runtime import Runtime
from engine.scheduler import tick
from tests.conftest import MSK
from tests.web.browsing import axe_violations
from tests.web.conftest import send_message
from tests.web.test_browser import browser, csp_violations, live_url, shot, sign_in

pytestmark = pytest.mark.browser
__all__ = ["browser", "csp_violations", "live_url"]  # fixtures this module reuses


LONG = (
    "Здравствуйте! Уже третью неделю во дворе не вывозят мусор, контейнеры переполнены, "
    "мусор разносит ветер по детской площадке, жители много раз звонили в управляющую компанию"
)


def many_tasks(
    sessions: sessionmaker[Session], runtime: Runtime, count: int, text: str = ""
) -> None:
    """`count` cases of the example town, each with an open «Рассмотреть сообщение»."""
    for number in range(count):
        words = f"{text} (дом {number})" if text else f"Яма на улице, дом {number}"
        send_message(sessions, runtime, external_id=f"m{number}", text=words)


def polls(page: Any, times: int = 3) -> None:
    """Wait for `times` refreshes of the rows (the app polls every second in these tests)."""
    for _ in range(times):
        with page.expect_response(lambda response: "/tasks/rows" in response.url):
            pass


def test_the_refresh_keeps_focus_and_scroll_and_new_tasks_wait(
    live_url: str, browser: Any, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    many_tasks(sessions, web_runtime, 14)
    page = sign_in(browser, live_url, "curator")
    page.set_viewport_size({"width": 1366, "height": 768})
    assert page.locator("#task-rows tr[data-task-id]").count() == 14
    claim = page.locator("#task-rows tr[data-task-id]").nth(9).get_by_role("button")
    claim.focus()
    page.evaluate("window.scrollTo(0, 400)")
    focused = page.evaluate("document.activeElement.closest('tr').dataset.taskId")
    polls(page)
    assert page.evaluate("window.scrollY") == 400
    assert page.evaluate("document.activeElement.closest('tr').dataset.taskId") == focused

    send_message(sessions, web_runtime, external_id="new", text="Упало дерево на дорогу")
    page.get_by_text("Новых задач: 1").wait_for(timeout=10_000)
    polls(page, 1)
    assert page.locator("#task-rows tr[data-task-id]").count() == 14  # nothing moved
    assert page.get_by_text("Упало дерево на дорогу").count() == 0
    assert page.evaluate("window.scrollY") == 400
    assert page.evaluate("document.activeElement.closest('tr').dataset.taskId") == focused
    assert axe_violations(page) == []
    shot(page, "list-01-new-tasks-waiting")

    page.get_by_role("link", name="показать").click()
    page.get_by_text("Упало дерево на дорогу").wait_for()
    assert page.locator("#task-rows tr[data-task-id]").count() == 15
    # The focus moves once htmx has settled the rows (a moment after they are drawn).
    page.wait_for_function("document.activeElement.textContent.startsWith('Упало дерево')")
    polls(page, 1)
    assert page.get_by_text("Новых задач").count() == 0


def test_keyboard_shortcuts_move_open_and_claim_with_a_help_overlay(
    live_url: str, browser: Any, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    many_tasks(sessions, web_runtime, 3)
    page = sign_in(browser, live_url, "curator")
    rows = page.locator("#task-rows tr[data-task-id]")
    ids = [rows.nth(n).get_attribute("data-task-id") for n in range(3)]
    row_of_focus = "(document.activeElement.closest('tr') || {dataset: {}}).dataset.taskId"
    page.keyboard.press("j")
    assert page.evaluate(row_of_focus) == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate(row_of_focus) == ids[1]
    page.keyboard.press("c")  # claim the second task
    page.get_by_text("Задача взята в работу.").wait_for()
    assert (
        page.locator(f"tr[data-task-id='{ids[1]}'] button").inner_text() == "Вернуть в общий список"
    )
    # The reloaded list gives the claimed row its focus back.
    page.wait_for_function(f"() => {row_of_focus} === '{ids[1]}'", timeout=5_000)

    page.keyboard.press("Shift+Slash")  # «?»
    help_box = page.get_by_role("dialog", name="Горячие клавиши")
    help_box.wait_for()
    assert axe_violations(page) == []
    shot(page, "list-02-shortcut-help")
    page.keyboard.press("j")  # inside the help the keys do nothing
    page.keyboard.press("Escape")
    help_box.wait_for(state="hidden")

    page.get_by_role("searchbox", name="Поиск").fill("дом")
    page.keyboard.press("j")  # typing in a field never moves
    assert page.get_by_role("searchbox", name="Поиск").input_value() == "домj"
    page.get_by_role("searchbox", name="Поиск").press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.get_by_role("heading", name="Рассмотреть сообщение", level=1).wait_for()


def rows_above_the_fold(page: Any) -> int:
    """How many task rows are wholly visible without scrolling."""
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('#task-rows tr[data-task-id]'))"
            ".filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"
        )
    )


def test_a_laptop_shows_many_rows_and_a_curator_has_no_department_tab(
    live_url: str, browser: Any, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    many_tasks(sessions, web_runtime, 12, text=LONG)  # real messages are long
    page = sign_in(browser, live_url, "curator")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.reload()
    shot(page, "list-03-laptop")
    above = rows_above_the_fold(page)
    assert above > 3, above
    tabs = page.get_by_role("navigation", name="Списки задач").get_by_role("link")
    assert tabs.all_inner_texts()[:2] == ["Мои", "Все"]
    assert axe_violations(page) == []


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'a, button, select, input:not([type=hidden]):not([type=checkbox]), label.option'))
  .filter(e => e.offsetParent !== null && !e.closest('.sr-only, .skip, dialog'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.height < 44 || r.width < 44)
  .map(([e, r]) => e.tagName + ' «' + (e.innerText || e.name || '').trim().slice(0, 30) + '» '
    + Math.round(r.width) + '×' + Math.round(r.height))"""


def test_a_phone_folds_the_filters_fits_the_selects_and_has_big_tap_targets(
    live_url: str, browser: Any, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    many_tasks(sessions, web_runtime, 3, text=LONG)
    page = sign_in(browser, live_url, "curator", width=390)
    page.set_viewport_size({"width": 390, "height": 844})
    filters = page.locator("#task-filters")
    toggle = page.get_by_role("button", name="Фильтры")
    assert not filters.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_label("Сохранить фильтр как").is_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    shot(page, "list-04-phone-filters-folded")
    toggle.click()
    filters.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('#task-filters select'))"
        ".map(s => s.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= 390, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    assert page.evaluate(SMALL_TARGETS) == []
    assert axe_violations(page) == []
    shot(page, "list-05-phone-filters-open")


def test_the_heads_notices_page_has_no_accessibility_violations(
    live_url: str,
    browser: Any,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    clock: VirtualClock,
) -> None:
    send_message(sessions, web_runtime)
    clock.set(datetime(2026, 3, 18, 18, 1, tzinfo=MSK))  # past the answer's 2 working days
    while tick(sessions, web_runtime).advanced:
        pass
    head = sign_in(browser, live_url, "head")
    head.goto(f"{live_url}/notices/")
    head.get_by_text("Просрочен шаг «Рассмотреть сообщение»").wait_for()
    assert axe_violations(head) == []
    shot(head, "list-06-head-notices")
