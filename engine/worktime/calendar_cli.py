"""`reglament calendar show YEAR` and `reglament calendar load FILE`: the federal calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import click

from engine.clock import SystemClock
from engine.settings import Settings
from engine.worktime.law import WEEKDAYS_RU, is_art_112_date
from engine.worktime.official import OfficialCalendarError, OfficialYear, read_official
from engine.worktime.production import ProductionCalendar, refresh_shared
from engine.worktime.store import append_audit, save_year

FORMATS = {"xmlcalendar": "xmlcalendar.ru, calendar.xml", "isdayoff": "isdayoff.ru, JSON"}


def _default_dir() -> Path:
    return Settings.from_env().calendars_dir


_DIR_OPTION = click.option(
    "--dir",
    "calendars_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_default_dir,
    show_default="$REGLAMENT_CALENDARS_DIR or ./calendars",
    help="Where official calendars are stored, one JSON file per year.",
)


@click.group("calendar")
def calendar_group() -> None:
    """The federal production calendar: which years are official, decreed or a forecast."""


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(1991, 2100))
@_DIR_OPTION
def show_command(year: int, calendars_dir: Path) -> None:
    """Print YEAR's status, holidays, days off, working weekends and shortened days."""
    production = _production(calendars_dir)
    for line in describe_year(production, year):
        click.echo(line)


@calendar_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DIR_OPTION
@click.option("--actor", default="admin", show_default=True, help="Who loads it (audit).")
@click.option("--dry-run", is_flag=True, help="Validate and show the changes; store nothing.")
def load_command(file: Path, calendars_dir: Path, actor: str, dry_run: bool) -> None:
    """Load an official calendar (xmlcalendar.ru calendar.xml or isdayoff.ru JSON) for its year."""
    try:
        official = read_official(file.read_bytes(), file.name)
    except OfficialCalendarError as error:
        raise click.ClickException(f"refused: {error}") from None
    before = _production(calendars_dir)
    now = SystemClock().now().isoformat(timespec="seconds")
    official = replace(official, loaded_at=now, loaded_by=actor)
    changes = year_changes(before, official)
    was = before.year_status(official.year)
    click.echo(f"{official.year}: {file.name} ({FORMATS[official.source]}), было: {was.label}")
    for note in official.notes:
        click.echo(f"  выведено: {note}")
    click.echo("  изменения по дням:" if changes else "  по дням совпадает с прежним календарем")
    for change in changes:
        click.echo(f"    {change}")
    if dry_run:
        click.echo("проверка без записи (--dry-run): ничего не сохранено")
        return
    path = save_year(calendars_dir, official)
    append_audit(
        calendars_dir,
        {
            "at": now,
            "by": actor,
            "year": official.year,
            "file": file.name,
            "format": official.source,
            "sha256": official.sha256,
            "was": was.value,
            "changes": changes,
        },
    )
    # This process sees the new year at once; others on their next deadline (directory mtime).
    refresh_shared()
    click.echo(f"сохранено: {path}")


def _production(calendars_dir: Path) -> ProductionCalendar:
    try:
        return ProductionCalendar(calendars_dir)
    except OfficialCalendarError as error:
        raise click.ClickException(str(error)) from None


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _day(day: date) -> str:
    return f"{day:%d.%m.%Y} {WEEKDAYS_RU[day.weekday()]}"


def _kind(production: ProductionCalendar, day: date) -> str:
    if not production.is_working_day(day):
        return "выходной"
    return "сокращенный рабочий день" if production.is_pre_holiday(day) else "рабочий день"


def year_changes(before: ProductionCalendar, official: OfficialYear) -> list[str]:
    """Days whose kind the official file changes, in Russian («01.11.2025 сб: …»)."""
    changes = []
    for day in _days(official.year):
        was = _kind(before, day)
        if not official.is_working_day(day):
            now = "выходной"
        else:
            now = "сокращенный рабочий день" if day in official.shortened else "рабочий день"
        if was != now:
            changes.append(f"{_day(day)}: было {was}, стало {now}")
    return changes


def describe_year(production: ProductionCalendar, year: int) -> list[str]:
    """The year as a lawyer reads a production calendar, in Russian."""
    status = production.year_status(year)
    days = _days(year)
    working = [d for d in days if production.is_working_day(d)]
    shortened = [d for d in working if production.is_pre_holiday(d)]
    lines = [
        f"Производственный календарь {year} года (пятидневная рабочая неделя)",
        f"Статус: {status.label}",
    ]
    official = production.official(year)
    if official is not None:
        lines.append(
            f"Источник: {official.file} ({FORMATS[official.source]}), "
            f"sha256 {official.sha256[:12]}, "
            f"загружен {official.loaded_at or '?'} ({official.loaded_by or '?'})"
        )
    if not status.confirmed:
        lines.append(
            "Внимание: переносы выходных на этот год не утверждены; сроки, рассчитанные по нему, "
            "помечаются как предварительные."
        )
    lines.append(
        f"Рабочих дней: {len(working)}; норма часов при 40-часовой неделе: "
        f"{len(working) * 8 - len(shortened)}"
    )
    lines.append("Нерабочие праздничные дни (ст. 112 ТК РФ):")
    lines += [
        f"  {_day(d)}  {production.holiday_name(d)}"
        for d in days
        if is_art_112_date(d) and production.is_public_holiday(d)
    ]
    lines += _section(
        "Выходные дни в будни (переносы):",
        [
            f"  {_day(d)}  {production.holiday_name(d) or 'выходной'}"
            for d in days
            if d.weekday() < 5 and not production.is_working_day(d) and not is_art_112_date(d)
        ],
    )
    donors = {moved: day for day, moved in production.transfers(year).items()}
    lines += _section(
        "Рабочие выходные дни:",
        [
            f"  {_day(d)}  рабочий день" + (f" вместо {_day(donors[d])}" if d in donors else "")
            for d in working
            if d.weekday() >= 5
        ],
    )
    lines += _section(
        "Сокращенные на 1 час дни (ст. 95 ТК РФ):",
        [f"  {_day(d)}  {production.shortening(d)}" for d in shortened],
    )
    return lines


def _section(title: str, rows: list[str]) -> list[str]:
    return [title, *(rows or ["  нет"])]
