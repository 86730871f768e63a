"""axe-core in Chromium on the pages the other browser tests do not check: 0 violations each."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.runtime import Runtime
from tests.web.browsing import axe_violations
from tests.web.conftest import PASSWORD, send_message
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser,
    csp_violations,
    live_url,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

# Each signed-in role's pages: the people pages, the inbox, comments on the card and the step.
PAGES = {
    "admin": ["/people/", "/people/new", "/team/", "/versions/", "/reports/", "/inbox/"],
    "curator": ["/", "/messages/", "/inbox/", "/inbox/preferences", "/cases/{case}", "/password"],
}


@pytest.mark.parametrize("login", sorted(PAGES))
def test_the_staff_pages_have_no_accessibility_violations(
    login: str,
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
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
    case = send_message(sessions, web_runtime)
    page = sign_in(browser, live_url, login)
    found: dict[str, list[str]] = {}
    for path in PAGES[login]:
        page.goto(live_url + path.format(case=case))  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        if "/cases/" in path:  # the comments arrive by htmx after the card
            page.locator("#comments form").wait_for()  # type: ignore[attr-defined]
        violations = axe_violations(page)
        if violations:
            found[path] = violations
            shot(page, f"axe-{login}-{path.strip('/').replace('/', '-') or 'tasks'}")
    assert found == {}
