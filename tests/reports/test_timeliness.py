"""The timeliness report against the hand-counted cohort (tests/reports/README.md)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.reports import Filters, Report, build_report
from tests.reports.conftest import Built

WEEK = (date(2026, 3, 16), date(2026, 3, 20))


def report_of(built: Built, **filters: str) -> Report:
    with built.sessions() as session:
        return build_report(session, built.runtime, Filters("perm", *WEEK, **filters))


@pytest.fixture(scope="module")
def report(built: Built) -> Report:
    return report_of(built)


def value(report: Report, table: str, labels: tuple[str, ...], column: str) -> object:
    return report.table(table).cell(labels, column).value


def test_messages_by_source_and_channel(report: Report, built: Built) -> None:
    received = report.table("received")
    assert received.cell(("vk", "feed"), "получено").value == 6 + 1 + 2 + 1
    assert received.cell(("ok", "feed"), "получено").value == 3
    assert received.cell(("monitoring", "private"), "получено").value == 1
    assert received.cell(("monitoring", "feed"), "получено").value == 2
    assert received.cell(("Итого", ""), "получено").value == 16
    assert received.cell(("ok", "feed"), "получено").cases == tuple(built.kinds["late_draft"])


def test_in_time_and_late_per_clause(report: Report, built: Built) -> None:
    # п. 3.1: one span per case (Perm remodelled, issue 11): 12 routed in time, one late screen.
    assert value(report, "by_clause", ("Пермь, п. 3.1",), "в срок") == 12
    assert value(report, "by_clause", ("Пермь, п. 3.1",), "с нарушением") == 1
    late = report.table("by_clause").cell(("Пермь, п. 3.2.1",), "с нарушением")
    assert late.value == 3 + 2
    assert late.cases == tuple(sorted(built.kinds["late_draft"] + built.kinds["stuck"]))
    assert value(report, "by_clause", ("Пермь, п. 3.2.1",), "в срок") == 6
    assert value(report, "by_clause", ("Пермь, п. 3.2.1",), "в срок, %") == round(600 / 11, 1)
    assert value(report, "by_clause", ("Пермь, п. 3.6",), "в срок") == 1


def test_per_step_department_and_person(report: Report, built: Built) -> None:
    assert value(report, "by_step", ("first_hour",), "с нарушением") == 1
    assert report.table("by_step").cell(("first_hour",), "с нарушением").cases == tuple(
        built.kinds["late_screen"]
    )
    roads = ("Департамент дорог и благоустройства",)
    # ddh: draft_feed (6 met, 3 late); the review and publication is the curator's (п. 3.5).
    assert value(report, "by_department", roads, "с нарушением") == 3
    assert value(report, "by_department", roads, "в срок") == 6
    assert value(report, "by_department", ("Департамент транспорта",), "с нарушением") == 2
    assert value(report, "by_person", ("Петрова Ольга",), "с нарушением") == 3
    assert value(report, "by_person", ("Петрова Ольга",), "в срок") == 0
    assert value(report, "by_person", ("Иванов Иван",), "в срок") == 6 + 2
    # The late screen and the two stuck drafts were claimed by nobody when they ran out.
    assert value(report, "by_person", ("не назначен",), "с нарушением") == 3


def test_time_in_step_in_the_deadlines_unit(report: Report) -> None:
    assert value(report, "step_time", ("draft_feed",), "единица") == "часы"
    assert value(report, "step_time", ("draft_feed",), "шагов") == 9
    assert value(report, "step_time", ("draft_feed",), "медиана") == 1.0
    assert value(report, "step_time", ("draft_feed",), "90-й процентиль") == 5.0
    assert value(report, "step_time", ("publish",), "единица") == "часы"  # no step term of its own
    assert value(report, "step_time", ("publish",), "медиана") == 0.17


def test_overdue_now_repeats_grounds_redirects_intermediate(report: Report, built: Built) -> None:
    overdue = report.table("overdue_now")
    cell = overdue.cell(("Пермь, п. 3.2.1", "draft_feed", "Департамент транспорта"), "просрочено")
    assert (cell.value, cell.cases) == (2, tuple(built.kinds["stuck"]))
    assert value(report, "repeats", ("monitoring",), "повторных") == 1
    assert value(report, "not_processed", ("Нецензурная брань",), "обращений") == 2
    assert value(report, "not_processed", ("Оскорбления",), "обращений") == 1
    assert value(report, "redirects", ("Минздрав края",), "обращений") == 1
    intermediate = report.table("intermediate")
    assert intermediate.cell(("с промежуточным ответом",), "обращений").cases == tuple(
        built.kinds["intermediate"]
    )
    assert value(report, "intermediate", ("окончательный ответ в срок",), "обращений") == 1


def test_quality_and_topics_for_the_monthly_analysis(report: Report) -> None:
    # Every answer was approved at the first review: 9 feed answers, 2 in the intermediate case.
    assert value(report, "quality", ("все проверки",), "проверок") == 11
    assert value(report, "quality", ("все проверки",), "возвращено на доработку") == 0
    assert value(report, "topics", ("дороги",), "обращений") == 6 + 3


def test_filters_by_source_and_department(built: Built) -> None:
    only_ok = report_of(built, source="ok")
    assert value(only_ok, "received", ("Итого", ""), "получено") == 3
    assert value(only_ok, "by_clause", ("Итого",), "с нарушением") == 3
    transport = report_of(built, department="dtr")
    assert value(transport, "by_clause", ("Итого",), "с нарушением") == 2
    assert value(transport, "received", ("Итого", ""), "получено") == 3  # 2 stuck, 1 private


def test_a_period_without_cases_is_empty(built: Built) -> None:
    with built.sessions() as session:
        empty = build_report(
            session, built.runtime, Filters("perm", date(2026, 4, 1), date(2026, 4, 30))
        )
    assert empty.table("by_clause").rows == []
    assert empty.table("received").rows == []
