"""`reglament deadline`: print the due moment of a deadline for a municipality."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from engine.municipalities import regulation_calendar
from engine.worktime.calendar import CalendarError
from engine.worktime.loader import load_calendar
from engine.worktime.settings import CalendarConfigError
from engine.worktime.spec import DeadlineSpecError, parse_deadline


def _default_processes_dir() -> str:
    return os.environ.get("REGLAMENT_PROCESSES_DIR", "processes")


@click.command("deadline")
@click.option("--municipality", "-m", required=True, help="Folder under processes/, e.g. perm.")
@click.option(
    "--from",
    "start",
    required=True,
    metavar="ISO_DATETIME",
    help="When the period starts; without an offset it is read in the municipality's zone.",
)
@click.option(
    "--processes-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_default_processes_dir,
    show_default="$REGLAMENT_PROCESSES_DIR or ./processes",
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
        moment = datetime.fromisoformat(start.strip())
    except (CalendarConfigError, DeadlineSpecError) as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError:
        raise click.BadParameter(
            f"{start!r} is not an ISO 8601 date-time such as 2025-11-01T17:30+05:00",
            param_hint="--from",
        ) from None
    if moment.tzinfo is None:
        # A clerk types the office's local time; the municipality's zone is the only sane reading.
        moment = moment.replace(tzinfo=calendar.zone)
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
