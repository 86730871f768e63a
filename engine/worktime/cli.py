"""`reglament deadline`: print the due moment of a deadline for a municipality."""

from __future__ import annotations

from pathlib import Path

import click

from engine.municipalities import regulation_calendar
from engine.worktime.calendar import CalendarError
from engine.worktime.cli_options import municipality_and_start, start_moment
from engine.worktime.loader import load_calendar
from engine.worktime.settings import CalendarConfigError
from engine.worktime.spec import DeadlineSpecError, parse_deadline


@click.command("deadline")
@municipality_and_start(
    "When the period starts; without an offset it is read in the municipality's zone."
)
@click.option("--explain", is_flag=True, help="Also print how the deadline was read.")
@click.argument("spec")
def deadline_command(
    municipality: str, start: str, processes_dir: Path, explain: bool, spec: str
) -> None:
    """Print the due moment (ISO 8601, with offset) of SPEC, e.g. «8 рабочих часов»."""
    try:
        calendar = load_calendar(municipality, processes_dir)
        # Read the text as the municipality's regulation does (plain hours may be working hours).
        parsed = regulation_calendar(municipality, processes_dir).read(parse_deadline(spec))
    except (CalendarConfigError, DeadlineSpecError) as exc:
        raise click.ClickException(str(exc)) from None
    moment = start_moment(start, calendar, "2025-11-01T17:30+05:00")
    try:
        due = calendar.due(moment, parsed)
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from None
    if explain:
        kind = "рабочее" if parsed.working else "календарное"
        click.echo(f"срок: {parsed.describe()} ({kind} время), {calendar.settings.timezone}")
        label = "отсчет назад от" if parsed.before else "начало"
        click.echo(f"{label}: {moment.astimezone(calendar.zone).isoformat()}")
    click.echo(due.isoformat())
    warning = calendar.forecast_warning(moment, due, parsed)
    if warning:
        # On stderr, so that scripts reading the due moment from stdout still get one line.
        click.echo(f"внимание: {warning}", err=True)
