"""The reports page: figures of the hand-counted Perm cohort, links to cases, XLSX, charts."""

from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.runtime import Runtime
from tests.reports.fixtures import FIRST_START, Driver, build_fixture
from tests.web.conftest import login
from tests.web.test_browser import browser, csp_violations, live_url, shot, sign_in  # noqa: F401

WEEK = "from=2026-03-16&to=2026-03-20"


@pytest.fixture
def clock() -> VirtualClock:
    """The fixture's cohort starts on Monday 16 March 2026, 09:00 in Perm."""
    return VirtualClock(FIRST_START)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cohort(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> dict[str, list[int]]:
    driver = Driver(sessions, clock, web_runtime)
    build_fixture(driver)
    return driver.kinds


def test_the_report_shows_each_figure_with_a_link_to_its_cases(
    client: FlaskClient, cohort: dict[str, list[int]]
) -> None:
    login(client, "perm")
    page = client.get(f"/reports/?{WEEK}")
    assert page.status_code == 200, page.text
    assert "Сроки по пунктам регламента" in page.text and "Петрова Ольга" in page.text
    link = _link_of(page.text, "by_person", "Петрова Ольга")
    listed = client.get(link)
    assert listed.status_code == 200
    for case in cohort["late_draft"]:
        assert f"/cases/{case}" in listed.text
    assert f"/cases/{cohort['in_time'][0]}" not in listed.text


def _link_of(html: str, table: str, label: str) -> str:
    """The link of the «late» figure in the row of `label` of `table`."""
    row = html.split(f"<td>{label}</td>", 1)[1].split("</tr>", 1)[0]
    links = [part.split('"', 1)[0] for part in row.split('href="')[1:]]
    late = [link for link in links if f"table={table}" in link and "column=1" in link]
    assert late, row
    return late[0].replace("&amp;", "&")


def test_filters_and_refusals(client: FlaskClient, cohort: dict[str, list[int]]) -> None:
    login(client, "perm")
    only_ok = client.get(f"/reports/?{WEEK}&source=ok")
    assert only_ok.status_code == 200
    bad = client.get("/reports/?from=16.03.2026")
    assert bad.status_code == 400
    assert "«Период с»: дата в виде ГГГГ-ММ-ДД" in bad.text
    backwards = client.get("/reports/?from=2026-03-20&to=2026-03-01")
    assert backwards.status_code == 400 and "конец периода раньше его начала" in backwards.text
    assert client.get(f"/reports/cases?{WEEK}&table=nope&row=0&column=0").status_code == 404


def test_executors_may_not_see_reports(client: FlaskClient) -> None:
    login(client, "housing")
    assert client.get("/reports/").status_code == 403


def test_xlsx_download_and_the_monthly_printable_page(
    client: FlaskClient, cohort: dict[str, list[int]]
) -> None:
    login(client, "perm")
    response = client.get(f"/reports/report.xlsx?{WEEK}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book["Отчёт"]["A1"].value == "Своевременность ответов: город Пермь"
    monthly = client.get("/reports/monthly?month=2026-03")
    assert monthly.status_code == 200
    assert "Ежемесячный анализ" in monthly.text and "chart.umd" not in monthly.text
    assert "01.03.2026 — 31.03.2026" in monthly.text and "Качество ответов" in monthly.text
    assert client.get("/reports/monthly?month=март").status_code == 400
    book = load_workbook(io.BytesIO(client.get("/reports/report.xlsx?month=2026-03").data))
    assert book["Отчёт"]["D2"].value.date().isoformat() == "2026-03-31"


def test_charts_draw_in_chromium_beside_their_tables(
    live_url: str,  # noqa: F811
    browser: object,  # noqa: F811
    cohort: dict[str, list[int]],
) -> None:
    page = sign_in(browser, live_url, "perm")
    page.goto(f"{live_url}/reports/?{WEEK}")  # type: ignore[attr-defined]
    page.wait_for_selector("canvas[data-drawn='1']")  # type: ignore[attr-defined]
    charts = page.locator("canvas[data-chart]")  # type: ignore[attr-defined]
    assert charts.count() >= 5
    assert page.locator("canvas[data-drawn='1']").count() == charts.count()  # type: ignore[attr-defined]
    shot(page, "20-reports-page")
    # exact: the header's «Мои уведомления N» is a link with a number too
    page.get_by_role("link", name="5", exact=True).first.click()  # type: ignore[attr-defined]
    page.get_by_text("Обращение №").first.wait_for()  # type: ignore[attr-defined]
    query = parse_qs(urlsplit(page.url).query)  # type: ignore[attr-defined]
    assert query["column"] == ["1"]
    assert datetime  # the cohort's dates are fixed by FIRST_START
