"""The API's documentation page renders in Chromium from local files, within its CSP."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.web.test_browser import browser, csp_violations, live_url, watch_csp

pytestmark = pytest.mark.browser
__all__ = ["browser", "csp_violations", "live_url"]  # fixtures used below


def test_the_docs_page_lists_the_operations(
    browser: object, live_url: str, csp_violations: list[str]
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    watch_csp(page, csp_violations)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_url) else outside.append(request.url),
    )
    page.goto(f"{live_url}/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/messages", "/api/violations"} <= {p.strip() for p in paths}
    page.screenshot(path=str(ROOT / "artifacts" / "screenshots" / "api-docs.png"))
    assert outside == []  # nothing from a CDN
