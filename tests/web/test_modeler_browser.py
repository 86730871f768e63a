"""In headless Chromium: a lawyer edits Perm's draft, the live check flags it, saves, deploys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from engine.versions import deploy_file
from tests.conftest import PROCESSES
from tests.web.conftest import send_message
from tests.web.modeler_helpers import PERM_BPMN, add_staff
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser,
    csp_violations,
    live_url,
    shot,
    sign_in,
)
from tests.web.test_versions_admin import _admin

pytestmark = pytest.mark.browser
LONG = 180_000  # ms: Perm's scenarios run on the server while the page waits


def _checked(page: object) -> None:
    page.wait_for_selector("#modeler[data-checked=true]")  # type: ignore[attr-defined]


def _choose_deadline(page: object, timer: str, row: str) -> None:
    page.evaluate(  # type: ignore[attr-defined]
        """(id) => { const m = window.reglamentModeler;
                     m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        timer,
    )
    page.locator("#bio-properties-panel-reglament-deadline").select_option(row)  # type: ignore[attr-defined]


def _open_draft(page: object, live_url: str) -> None:  # noqa: F811
    page.goto(f"{live_url}/modeler/v2")  # type: ignore[attr-defined]
    page.wait_for_selector("#modeler[data-ready=true]")  # type: ignore[attr-defined]
    _checked(page)


def test_a_lawyer_edits_a_deadline_sees_the_check_saves_and_the_draft_is_deployed(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
) -> None:
    add_staff(sessions)
    with sessions.begin() as session:
        deploy_file(session, web_runtime, PERM_BPMN, "admin")
    page: object = sign_in(browser, live_url, "perm.legal")
    page.get_by_role("link", name="Редактор регламента").click()  # type: ignore[attr-defined]
    page.get_by_label("Имя новой версии").fill("v2")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Создать черновик").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#modeler[data-ready=true]")  # type: ignore[attr-defined]
    _checked(page)
    page.get_by_text("Проверки деплоя пройдены: замечаний нет.").wait_for()  # type: ignore[attr-defined]
    page.locator(".clause-badge[data-element-id=draft_feed]").wait_for()  # type: ignore[attr-defined]
    page.locator(".djs-palette [aria-label='Включить инструмент «Рука»']").wait_for()  # type: ignore[attr-defined]
    page.evaluate(  # type: ignore[attr-defined]
        """() => { const m = window.reglamentModeler;
                   m.get('selection').select(m.get('elementRegistry').get('draft_feed')); }"""
    )
    form = page.locator("#bio-properties-panel-reglament-form")  # type: ignore[attr-defined]
    assert form.input_value() == "draft_answer"
    role = page.locator("[data-entry-id=reglament-role] .reglament-info-value")  # type: ignore[attr-defined]
    assert role.text_content() == "Исполнитель (подразделение администрации)"
    assert "Пермь, п. 3.2.1" in page.locator("[data-entry-id=reglament-clauses]").text_content()  # type: ignore[attr-defined]
    shot(page, "modeler-00-user-task-panel")
    # «Изменить форму»: the forms editor below, its caret on the step form's declaration.
    page.get_by_role("button", name="Изменить форму").click()  # type: ignore[attr-defined]
    selected = page.evaluate(  # type: ignore[attr-defined]
        """() => { const e = document.getElementById('modeler-forms');
                   return [document.activeElement === e,
                           e.value.slice(e.selectionStart, e.selectionEnd).trim()]; }"""
    )
    assert selected == [True, "- key: draft_answer"]
    # A form's typo is a live-check problem like the diagram's; fixed, it is gone.
    editor = page.locator("#modeler-forms")  # type: ignore[attr-defined]
    text = editor.input_value()
    editor.fill(text.replace("kind: photos", "kind: selfie", 1))
    _checked(page)
    page.get_by_text("selfie").first.wait_for()  # type: ignore[attr-defined]
    editor.fill(text)
    _checked(page)
    page.get_by_text("Проверки деплоя пройдены: замечаний нет.").wait_for()  # type: ignore[attr-defined]
    # A timer on «answer in the feed» pointed at the private messages' row: the table disagrees.
    _choose_deadline(page, "draft_feed_deadline", "draft_private")
    page.locator(".reglament-deadline-row[data-deadline=draft_private]").wait_for()  # type: ignore[attr-defined]
    page.get_by_text("Срок (не прерывающий шаг)").wait_for()  # type: ignore[attr-defined]
    _checked(page)
    page.locator(".check-problem-item[data-element-id=draft_feed_deadline]").wait_for()  # type: ignore[attr-defined]
    page.locator(".djs-element.check-problem[data-element-id=draft_feed_deadline]").wait_for()  # type: ignore[attr-defined]
    page.locator(".problem-flag[data-element-id=draft_feed_deadline]").wait_for()  # type: ignore[attr-defined]
    shot(page, "modeler-01-live-check")
    _choose_deadline(page, "draft_feed_deadline", "draft_feed")  # fixed
    _checked(page)
    page.get_by_text("Проверки деплоя пройдены: замечаний нет.").wait_for()  # type: ignore[attr-defined]
    # «4 часа» → «3 часа» is one field; the scenarios written for 4 hours now disagree.
    page.get_by_label("Срок строки draft_feed").fill("3 часа")  # type: ignore[attr-defined]
    _checked(page)
    example = page.locator("tr[data-deadline=draft_feed] .deadline-example")  # type: ignore[attr-defined]
    assert "20:30" in example.text_content()  # the worked example follows the term
    page.get_by_role("button", name="Сохранить черновик").click()  # type: ignore[attr-defined]
    page.get_by_text("Черновик сохранён (редакция 2).").wait_for()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Запустить сценарии").click()  # type: ignore[attr-defined]
    page.locator(".scenario-failed").first.wait_for(timeout=LONG)  # type: ignore[attr-defined]
    shot(page, "modeler-02-scenarios-disagree")
    # A colleague opens the same revision; the lawyer saves first; the colleague's save is refused.
    colleague: object = sign_in(browser, live_url, "perm.admin")
    _open_draft(colleague, live_url)
    page.get_by_label("Срок строки draft_feed").fill("4 часа")  # type: ignore[attr-defined]
    page.evaluate(  # type: ignore[attr-defined]
        """() => { const m = window.reglamentModeler;
                   m.get('modeling').updateLabel(m.get('elementRegistry').get('draft_feed'),
                                                 'Подготовить ответ в ленте страницы'); }"""
    )
    _checked(page)
    page.get_by_role("button", name="Сохранить черновик").click()  # type: ignore[attr-defined]
    page.get_by_text("Черновик сохранён (редакция 3).").wait_for()  # type: ignore[attr-defined]
    colleague.get_by_role("button", name="Сохранить черновик").click()  # type: ignore[attr-defined]
    colleague.get_by_role("alert").get_by_text("уже сохранил perm.legal (редакция 3)").wait_for()  # type: ignore[attr-defined]
    shot(colleague, "modeler-03-stale-save")
    page.get_by_role("button", name="Запустить сценарии").click()  # type: ignore[attr-defined]
    page.get_by_text("не пройдено: 0.").wait_for(timeout=LONG)  # type: ignore[attr-defined]
    # The administrator sees the draft on the versions page, deploys it (inactive), compares.
    colleague.goto(f"{live_url}/versions/")  # type: ignore[attr-defined]
    colleague.get_by_role("link", name="v2").click()  # type: ignore[attr-defined]
    colleague.wait_for_selector("#modeler[data-ready=true]")  # type: ignore[attr-defined]
    colleague.goto(f"{live_url}/modeler/")  # type: ignore[attr-defined]
    colleague.get_by_label("Подтверждаю").check()  # type: ignore[attr-defined]
    colleague.get_by_role("button", name="Развернуть (не вводя в действие)").click()  # type: ignore[attr-defined]
    colleague.get_by_text("Черновик «v2» развёрнут как версия; в действие не введён.").wait_for(  # type: ignore[attr-defined]
        timeout=LONG
    )
    colleague.goto(f"{live_url}/versions/diff?a=v1&b=v2")  # type: ignore[attr-defined]
    colleague.get_by_text("Подготовить ответ в ленте страницы").first.wait_for()  # type: ignore[attr-defined]
    shot(colleague, "modeler-04-diff")


def test_the_case_card_shows_the_clause_badges(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
) -> None:
    case = send_message(sessions, web_runtime)
    page: object = sign_in(browser, live_url, "curator")
    page.goto(f"{live_url}/cases/{case}")  # type: ignore[attr-defined]
    page.wait_for_selector("#diagram[data-ready=true]")  # type: ignore[attr-defined]
    badge = page.locator("#diagram .clause-badge[data-element-id=screen]")  # type: ignore[attr-defined]
    assert badge.text_content() == "п. 2"
    assert badge.get_attribute("title") == "Пример, п. 2"


def test_a_refused_upload_marks_the_refused_element_on_its_diagram(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    _admin(sessions, "example.admin", "example")
    folder = PROCESSES / "example" / "v1"
    broken = tmp_path / "example.bpmn"
    text = (folder / "example.bpmn").read_text().replace('deadline("screen")', 'deadline("nope")')
    broken.write_text(text)
    page: object = sign_in(browser, live_url, "example.admin")
    page.goto(f"{live_url}/versions/upload")  # type: ignore[attr-defined]
    page.get_by_label("Версия (имя папки)").fill("v2")  # type: ignore[attr-defined]
    page.get_by_label("Диаграмма (*.bpmn)").set_input_files(str(broken))  # type: ignore[attr-defined]
    page.get_by_label("Формы (forms.yaml)").set_input_files(str(folder / "forms.yaml"))  # type: ignore[attr-defined]
    page.get_by_label("Таблица сроков (deadlines.yaml)").set_input_files(  # type: ignore[attr-defined]
        str(folder / "deadlines.yaml")
    )
    page.get_by_label("Подтверждаю").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Проверить и развернуть").click()  # type: ignore[attr-defined]
    page.wait_for_selector("#refused-diagram[data-ready=true]")  # type: ignore[attr-defined]
    marked = "#refused-diagram .djs-element.check-problem[data-element-id=screen_deadline]"
    page.locator(marked).wait_for()  # type: ignore[attr-defined]
    flag = page.locator("#refused-diagram .problem-flag[data-element-id=screen_deadline]")  # type: ignore[attr-defined]
    assert "nope" in (flag.get_attribute("title") or "")
    shot(page, "upload-refused-marked")
