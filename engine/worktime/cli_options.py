"""What `reglament deadline` and `reglament schedule` share: their options and the start moment."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.worktime.calendar import Calendar

F = TypeVar("F", bound=Callable[..., Any])


def default_processes_dir() -> str:
    """The process folder the commands read: $REGLAMENT_PROCESSES_DIR or ./processes."""
    return os.environ.get("REGLAMENT_PROCESSES_DIR", "processes")


def municipality_and_start(start_help: str) -> Callable[[F], F]:
    """The options -m, --from and --processes-dir, in that order."""

    def decorate(command: F) -> F:
        command = click.option(
            "--processes-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=default_processes_dir,
            show_default="$REGLAMENT_PROCESSES_DIR or ./processes",
        )(command)
        command = click.option(
            "--from", "start", required=True, metavar="ISO_DATETIME", help=start_help
        )(command)
        return click.option(
            "--municipality", "-m", required=True, help="Folder under processes/, e.g. perm."
        )(command)

    return decorate


def start_moment(start: str, calendar: Calendar, example: str) -> datetime:
    """`--from` as a moment; without an offset it is the municipality's local time."""
    try:
        moment = datetime.fromisoformat(start.strip())
    except ValueError:
        raise click.BadParameter(
            f"«{start}» — не дата и время ISO 8601; пример: {example}", param_hint="--from"
        ) from None
    # A clerk types the office's local time; the municipality's zone is the only sane reading.
    return moment if moment.tzinfo else moment.replace(tzinfo=calendar.zone)
