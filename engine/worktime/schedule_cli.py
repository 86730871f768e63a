"""`reglament schedule`: print the next occurrences of a duty's schedule for a municipality."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import click

from engine.worktime.cli_options import municipality_and_start, start_moment
from engine.worktime.loader import load_calendar
from engine.worktime.schedule import ScheduleError, occurrences, parse_schedule
from engine.worktime.settings import CalendarConfigError

MAX_SHOWN = 366


@click.command("schedule")
@municipality_and_start(
    "Occurrences after this moment; without an offset it is read in the municipality's zone."
)
@click.option("--count", "-n", default=5, show_default=True, type=click.IntRange(1, MAX_SHOWN))
@click.argument("schedule")
def schedule_command(
    municipality: str, start: str, count: int, processes_dir: Path, schedule: str
) -> None:
    """Print the next occurrences of SCHEDULE, e.g. «каждый рабочий день в 09:00»."""
    try:
        calendar = load_calendar(municipality, processes_dir)
        rule = parse_schedule(schedule)
    except (CalendarConfigError, ScheduleError) as exc:
        raise click.ClickException(str(exc)) from None
    moment = start_moment(start, calendar, "2026-03-16T09:00+05:00")
    click.echo(f"периодичность: {rule.describe()}, {calendar.settings.timezone}")
    until = moment.replace(year=moment.year + 10)
    for found in islice(occurrences(rule, calendar, moment, until), count):
        click.echo(found.astimezone(calendar.zone).isoformat())
