"""Building the timeliness report of a municipality over a period."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine.models import CaseDeadline
from engine.municipalities import load_municipality
from engine.reports.figures import tally
from engine.reports.intake import received_table, repeats_table
from engine.reports.load import load_cohort, overdue_now
from engine.reports.model import Filters, Report, Table
from engine.reports.outcomes import intermediate_table, not_processed_table, redirects_table
from engine.reports.quality import quality_table, topics_table
from engine.reports.steps import step_time_table
from engine.reports.timeliness import (
    NO_DEPARTMENT,
    NOBODY,
    NONE,
    DeadlineFact,
    facts,
    outcome_table,
)
from engine.runtime import Runtime
from engine.staff import display_names

# What today's data does not hold (docs/reports.md), printed with every report.
MISSING = (
    "Подразделение шага, завершённого в срок, известно только для задач, открытых после "
    "обновления журнала (событие task_ready хранит подразделение).",
    "Время на шаге считается календарным временем в единице срока шага, даже для сроков "
    "в рабочих часах или днях.",
    "Перенаправления считаются по решению «Перенаправить» формы рассмотрения; поля регламентов "
    "с иными именами не учитываются.",
    "Окончательный ответ после промежуточного считается «в срок», если ни один срок, "
    "взведённый после промежуточного ответа, не нарушен.",
)


def period_bounds(filters: Filters, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's dates as aware moments in the municipality's zone: [start, end)."""
    start = datetime.combine(filters.date_from, time(0), tzinfo=zone)
    end = datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def build_report(session: Session, runtime: Runtime, filters: Filters) -> Report:
    """Read the cohort of the period and count every table of the report."""
    settings = load_municipality(filters.municipality, runtime.processes_dir)
    zone = ZoneInfo(settings.timezone)
    start, end = period_bounds(filters, zone)
    now = runtime.clock.now()
    cohort = load_cohort(session, filters.municipality, start, end, filters.source)
    departments = {d.id: d.name for d in settings.departments}
    people = _people(session, filters.municipality)
    all_facts = facts(cohort)
    if filters.department is not None:
        involved = {f.instance_id for f in all_facts if f.department == filters.department}
        involved |= {
            s.instance_id for s in cohort.steps.values() if s.department == filters.department
        }
        cohort.cases = {k: v for k, v in cohort.cases.items() if k in involved}
        cohort.messages = [m for m in cohort.messages if m.instance_id in involved]
        all_facts = [f for f in all_facts if f.department == filters.department]

    def department(fact: DeadlineFact) -> str:
        return departments.get(fact.department or "", fact.department or NO_DEPARTMENT)

    def person(fact: DeadlineFact) -> str:
        return people.get(fact.person or "", fact.person or NOBODY)

    report = Report(filters, settings.title, settings.timezone, start, end, now)
    report.tables = [
        received_table(cohort),
        outcome_table("by_clause", "Сроки по пунктам регламента", "пункт", all_facts, _clause),
        outcome_table("by_step", "Сроки по шагам", "шаг", all_facts, _step),
        outcome_table(
            "by_department", "Сроки по подразделениям", "подразделение", all_facts, department
        ),
        outcome_table("by_person", "Сроки по ответственным", "ответственный", all_facts, person),
        step_time_table(cohort, filters.department),
        _overdue_table(session, filters, now, departments),
        repeats_table(cohort),
        not_processed_table(cohort),
        redirects_table(cohort),
        intermediate_table(cohort),
        quality_table(cohort),
        topics_table(cohort),
    ]
    report.missing = list(MISSING)
    return report


def _clause(fact: DeadlineFact) -> str:
    return fact.clause


def _step(fact: DeadlineFact) -> str:
    return fact.step


def _people(session: Session, municipality: str) -> dict[str, str]:
    # The engine's own actors too: «Демонстрационные данные», «Система (срок)», never a login.
    return display_names(session, municipality)


def _overdue_table(
    session: Session, filters: Filters, now: datetime, departments: dict[str, str]
) -> Table:
    """Past due and not done now, in every running case (not only the period's)."""
    rows = overdue_now(session, filters.municipality, now)
    if filters.department is not None:
        rows = [d for d in rows if d.responsible_department == filters.department]
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for deadline in rows:
        groups[_overdue_key(deadline, departments)].append(deadline.instance_id)
    table = Table(
        "overdue_now",
        "Просрочено сейчас (все идущие обращения)",
        ("пункт", "шаг", "подразделение"),
        ("просрочено",),
        chart="просрочено",
    )
    for labels in sorted(groups):
        table.add(labels, (tally(groups[labels]),))
    table.add(("Итого", "", ""), (tally([i for ids in groups.values() for i in ids]),))
    return table


def _overdue_key(deadline: CaseDeadline, departments: dict[str, str]) -> tuple[str, str, str]:
    department = deadline.responsible_department or ""
    return (
        deadline.clause or NONE,
        deadline.element_id or deadline.name,
        departments.get(department, department or NO_DEPARTMENT),
    )
