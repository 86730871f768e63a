"""End to end in headless Chromium: route, draft, return for rework, rework, publish, diagram."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from engine.accounts import create_user
from engine.runtime import Runtime
from tests.conftest import ROOT
from tests.web.conftest import PASSWORD, send_message

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VENDOR = ROOT / "web" / "static" / "vendor"


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app served on a free local port by a thread, with CSRF on as in production."""
    assert (VENDOR / ".copied").exists(), "front-end assets missing: run `make assets`"
    app.config.update(WTF_CSRF_ENABLED=True, TASK_LIST_POLL_SECONDS=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """What the Content-Security-Policy refused in any page; none may be refused."""
    refused: list[str] = []
    yield refused
    assert refused == [], "the pages need something the CSP forbids"


@pytest.fixture
def browser(csp_violations: list[str]) -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    assert CHROMIUM.exists(), "install Debian's chromium: apt-get install -y chromium"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        launched.csp_violations = csp_violations  # type: ignore[attr-defined]
        yield launched
        launched.close()


def watch_csp(page: object, refused: list[str]) -> None:
    """Collect the console's Content-Security-Policy refusals of a page."""

    def seen(message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text:
            refused.append(text)

    page.on("console", seen)  # type: ignore[attr-defined]


def sign_in(browser: object, base: str, user: str, width: int = 1366) -> object:
    """A new browser session signed in as `user`."""
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="ru-RU")  # type: ignore[attr-defined]
    watch_csp(page, browser.csp_violations)  # type: ignore[attr-defined]
    page.goto(f"{base}/login")
    page.fill("#login", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def open_task(page: object, step: str) -> None:
    """Open the first task of a step from the task list."""
    page.get_by_role("link", name="Не вывозят мусор").first.click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name=step, level=1).wait_for()  # type: ignore[attr-defined]


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_message_goes_from_routing_through_rework_to_publication(
    live_url: str, browser: object, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    curator = sign_in(browser, live_url, "curator")
    shot(curator, "01-task-list-curator")
    open_task(curator, "Рассмотреть сообщение")
    shot(curator, "02-task-page-screen")
    curator.get_by_label("Взять в работу", exact=True).check()
    curator.get_by_role("button", name="Отправить решение").click()
    curator.get_by_text("Выполнено: «Рассмотреть сообщение».").wait_for()
    # The curator does the next step too, so the page opens it at once.
    curator.get_by_text("Следующий шаг этого дела: «Направить исполнителям».").wait_for()
    curator.get_by_role("button", name="Направить исполнителям").click()  # nothing chosen: refused
    curator.get_by_text("Обязательное поле.").first.wait_for()
    shot(curator, "03-route-form-error")
    curator.get_by_label("Отдел ЖКХ", exact=True).check()
    curator.get_by_role("button", name="Направить исполнителям").click()
    curator.get_by_text("Выполнено: «Направить исполнителям».").wait_for()
    curator.get_by_text("Дальше: «Подготовить ответ» — ").first.wait_for()

    executor = sign_in(browser, live_url, "housing")
    open_task(executor, "Подготовить ответ")
    executor.get_by_label("Окончательный ответ", exact=True).check()
    executor.get_by_label("Текст ответа").fill("Мусор вывезем.")
    executor.get_by_role("button", name="Направить куратору").click()
    executor.get_by_text("Выполнено: «Подготовить ответ».").wait_for()

    open_task(curator, "Проверить ответ")
    curator.get_by_label("Вернуть на доработку", exact=True).check()
    curator.get_by_label("Формальный ответ", exact=True).check()
    curator.get_by_role("textbox", name="Комментарий").fill("Напишите, когда и кто вывезет.")
    shot(curator, "04-review-rework")
    curator.get_by_role("button", name="Отправить решение по ответу").click()
    curator.get_by_text("Выполнено: «Проверить ответ».").wait_for()

    executor.goto(f"{live_url}/")
    open_task(executor, "Подготовить ответ")
    assert executor.get_by_text("Напишите, когда и кто вывезет.").count() >= 1  # in the history
    executor.get_by_text("Возвращено на доработку").wait_for()  # the reasons above the form
    assert executor.get_by_label("Текст ответа").input_value() == "Мусор вывезем."  # prefilled
    executor.get_by_label("Окончательный ответ", exact=True).check()
    executor.get_by_label("Текст ответа").fill(
        "Здравствуйте! Контейнерную площадку у дома 7 очистят 17 марта до 12:00."
    )
    executor.get_by_role("button", name="Направить куратору").click()
    executor.get_by_text("Выполнено: «Подготовить ответ».").wait_for()

    curator.goto(f"{live_url}/")
    open_task(curator, "Проверить ответ")
    assert curator.get_by_text("Контейнерную площадку у дома 7").count() >= 1  # the draft shown
    curator.get_by_label("Согласовать", exact=True).check()
    curator.get_by_role("button", name="Отправить решение по ответу").click()
    curator.get_by_text("Следующий шаг этого дела: «Опубликовать ответ».").wait_for()
    curator.get_by_label("Ссылка на опубликованный ответ").fill("https://vk.com/wall-1_1?reply=9")
    curator.get_by_role("button", name="Опубликовать").click()
    curator.get_by_text("Выполнено: «Опубликовать ответ».").wait_for()

    curator.goto(f"{live_url}/cases/{case}")
    curator.wait_for_selector("#diagram[data-ready='true']", timeout=20_000)
    for element in ("screen", "route", "draft_answer", "review", "publish", "published_end"):
        marked = curator.locator(f"g.djs-element.completed[data-element-id='{element}']")
        assert marked.count() == 1, element
    assert curator.locator("g.djs-connection.completed").count() >= 6
    # Each timer shows its term from the deadline table, the single source of its words.
    badges = curator.locator(".term-badge").all_inner_texts()
    assert "1 рабочий час" in badges and "8 рабочих часов" in badges
    assert curator.get_by_text("Дело закрыто").count() == 1
    shot(curator, "05-case-card-diagram")
    curator.goto(f"{live_url}/messages/")
    shot(curator, "06-message-registry")


def test_a_new_task_appears_without_reload_and_phone_width_works(
    live_url: str, browser: object, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    page = sign_in(browser, live_url, "curator", width=390)
    page.get_by_text("Задач нет.").wait_for()
    send_message(sessions, web_runtime, text="Не вывозят мусор у школы")
    page.get_by_text("Не вывозят мусор у школы").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scroll
    shot(page, "07-task-list-phone")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Перейти к содержанию"


def test_a_redirect_asks_for_the_agency_only_when_chosen_and_is_refused_without_it(
    live_url: str, browser: object, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    send_message(sessions, web_runtime)
    curator = sign_in(browser, live_url, "curator")
    open_task(curator, "Рассмотреть сообщение")
    agency = curator.get_by_label("Куда перенаправить (ведомство)")  # type: ignore[attr-defined]
    reasons = curator.get_by_label("Причины перенаправления")  # type: ignore[attr-defined]
    agency.wait_for(state="hidden")  # static/forms.js (deferred) hides fields whose rule fails
    assert not reasons.is_visible()
    curator.get_by_label("Перенаправить (вне компетенции)", exact=True).check()  # type: ignore[attr-defined]
    agency.wait_for(state="visible")
    assert reasons.is_visible()
    assert not curator.get_by_label("Нецензурная брань").is_visible()  # type: ignore[attr-defined]
    curator.get_by_role("button", name="Отправить решение").click()  # type: ignore[attr-defined]
    curator.get_by_text("Форма не отправлена").wait_for()  # type: ignore[attr-defined]
    errors = curator.locator("#redirect_to-errors, #redirect_reasons-errors")  # type: ignore[attr-defined]
    assert errors.count() == 2 and errors.first.inner_text() == "Обязательное поле."
    assert agency.is_visible()  # the refused form keeps the decision, so the fields stay shown
    shot(curator, "08-redirect-required-fields")
    curator.get_by_label("Взять в работу", exact=True).check()  # type: ignore[attr-defined]
    agency.wait_for(state="hidden")
    curator.get_by_label("Перенаправить (вне компетенции)", exact=True).check()  # type: ignore[attr-defined]
    agency.fill("Министерство здравоохранения края")
    reasons.fill("Вопрос о работе поликлиники")
    # Пример, п. 10: the agency's telephone, e-mail and site are all required on a redirect.
    curator.get_by_label("Телефон ведомства").fill("8-800-000-00-00")  # type: ignore[attr-defined]
    curator.get_by_label("Электронная почта ведомства").fill("mz@example.ru")  # type: ignore[attr-defined]
    curator.get_by_label("Сайт ведомства").fill("https://mz.example.ru")  # type: ignore[attr-defined]
    curator.get_by_role("button", name="Отправить решение").click()  # type: ignore[attr-defined]
    curator.get_by_text("Выполнено: «Рассмотреть сообщение».").wait_for()  # type: ignore[attr-defined]


def test_the_regulation_report_opens_for_an_administrator_within_the_policy(
    live_url: str, browser: object, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        create_user(
            session,
            login="example.admin",
            password=PASSWORD,
            full_name="Администратор",
            roles=["administrator"],
            municipality="example",
            department=None,
        )
    admin = sign_in(browser, live_url, "example.admin")
    admin.get_by_role("link", name="Отчёт о регламенте").click()  # type: ignore[attr-defined]
    admin.get_by_role("heading", name="Пример, п. 2").wait_for()  # type: ignore[attr-defined]
    assert admin.get_by_text("Куратор в течение 1 рабочего часа").count() == 1  # type: ignore[attr-defined]
    shot(admin, "09-regulation-report")
