"""The curator's upload page in headless Chromium: from the intake page to the row report."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.adapters.conftest import stored
from tests.adapters.test_imports import FIXTURES
from tests.web.test_browser import browser, csp_violations, live_url, shot, sign_in

__all__ = ["browser", "csp_violations", "live_url"]
pytestmark = pytest.mark.browser


def test_a_curator_imports_an_export_and_reads_the_refused_rows(
    live_url: str, browser: object, sessions: sessionmaker[Session]
) -> None:
    page = sign_in(browser, live_url, "curator")
    page.goto(f"{live_url}/messages/new")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Импортировать файл выгрузки").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", level=1).wait_for()  # type: ignore[attr-defined]
    page.set_input_files("#f-file", str(FIXTURES / "incident_manager.xlsx"))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Импортировать").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="incident_manager.xlsx").wait_for()  # type: ignore[attr-defined]
    shot(page, "20-import-report")
    assert page.locator("#imported").inner_text() == "2"  # type: ignore[attr-defined]
    row = page.locator("tbody tr").first  # type: ignore[attr-defined]
    assert row.locator("td").first.inner_text() == "4"
    assert "«Автор» (автор): пусто" in row.inner_text()
    assert stored(sessions) == (2, 0)
