"""In Chromium: a photo uploaded on a draft, a file refused, the thumbnail at publication."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.attachment_files import TEXT_AS_JPEG, photo
from tests.web.helpers import complete, tasks_of
from tests.web.test_attachments import ANSWER, app, at_draft, files_dir  # noqa: F401  (fixtures)
from tests.web.test_browser import browser, csp_violations, live_url, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_photo_uploaded_on_the_draft_is_seen_as_a_thumbnail_at_publication(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    tmp_path: Path,
) -> None:
    case, task_id = at_draft(sessions, web_runtime)
    picture, fake = tmp_path / "Двор после уборки.jpg", tmp_path / "not-a-photo.jpg"
    picture.write_bytes(photo(800, 600, "darkgreen"))
    fake.write_bytes(TEXT_AS_JPEG)
    executor = sign_in(browser, live_url, "housing")
    executor.goto(f"{live_url}/tasks/{task_id}")  # type: ignore[attr-defined]
    executor.get_by_label("Окончательный ответ", exact=True).check()  # type: ignore[attr-defined]
    executor.get_by_label("Текст ответа").fill(ANSWER)  # type: ignore[attr-defined]
    executor.set_input_files("#f-photos", [str(picture), str(fake)])  # type: ignore[attr-defined]
    executor.locator("form.step button[type=submit]").click()  # type: ignore[attr-defined]
    # The lie is refused beside the field; the text and the good photo are kept.
    executor.get_by_text("not-a-photo.jpg: Недопустимый тип файла").wait_for()  # type: ignore[attr-defined]
    assert executor.get_by_label("Текст ответа").input_value() == ANSWER  # type: ignore[attr-defined]
    kept = executor.locator(".file-kept img.thumb")  # type: ignore[attr-defined]
    assert kept.count() == 1 and kept.evaluate("img => img.naturalWidth") > 0
    shot(executor, "attach-01-refused-file-kept-photo")
    executor.locator("form.step button[type=submit]").click()  # type: ignore[attr-defined]
    executor.get_by_text("Выполнено: «Подготовить ответ».").wait_for()  # type: ignore[attr-defined]
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    publish = tasks_of(sessions, case, "publish")[0].task_id
    curator = sign_in(browser, live_url, "curator")
    curator.goto(f"{live_url}/tasks/{publish}")  # type: ignore[attr-defined]
    gallery = curator.locator("#answer-files img.thumb")  # type: ignore[attr-defined]
    gallery.first.wait_for()
    assert gallery.count() == 1
    assert gallery.first.get_attribute("alt") == "Двор после уборки.jpg"
    assert gallery.first.evaluate("img => img.complete && img.naturalWidth") == 320
    shot(curator, "attach-02-thumbnail-at-publication")
    curator.goto(f"{live_url}/cases/{case}")  # type: ignore[attr-defined]
    curator.locator("#case-files img.thumb").first.wait_for()  # type: ignore[attr-defined]
    shot(curator, "attach-03-case-card-files")
