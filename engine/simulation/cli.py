"""`reglament simulate`: a what-if run of a version on a message stream and a staffing model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.settings import Settings
from engine.simulation.api import DEFAULT_START, simulate
from engine.simulation.model import SimulationInputError
from engine.simulation.parallel import RunInterrupted
from engine.simulation.summary import render
from engine.worktime.settings import CalendarConfigError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
STEPS = 1000


@click.command("simulate")
@click.option("-m", "--municipality", required=True)
@click.option("--version", "version", default=None, help="Version folder (default: the newest).")
@click.option("--messages", type=FILE, default=None, help="A stream file: CSV or JSON.")
@click.option("--rate", type=FILE, default=None, help="A rate profile (default: simulation/).")
@click.option("--staff", type=FILE, default=None, help="A staffing model (default: simulation/).")
@click.option("--days", type=int, required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=DEFAULT_START.isoformat())
@click.option("--compare", default=None, help="A second version on the same stream and seed.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path))
def simulate_command(**options: object) -> None:
    """Expected violations, time in step, utilisation and busiest hours of a version."""
    if options["messages"] and options["rate"]:
        raise click.UsageError("--messages or --rate, not both")
    settings = Settings.from_env()
    json_file = options.pop("json_file")
    start = options.pop("start")
    with click.progressbar(
        length=STEPS, label="Моделирование", show_eta=True, file=sys.stderr
    ) as bar:
        done = [0]

        def progress(fraction: float) -> None:
            target = min(STEPS, int(fraction * STEPS))
            if target > done[0]:
                bar.update(target - done[0])
                done[0] = target

        try:
            runs = simulate(
                str(options.pop("municipality")),
                settings.processes_dir,
                start=start.date(),  # type: ignore[attr-defined]
                progress=progress,
                **options,  # type: ignore[arg-type]
            )
        except (SimulationInputError, CalendarConfigError, RunInterrupted) as error:
            raise click.ClickException(str(error)) from error
        progress(1.0)
    click.echo(render(runs))
    if isinstance(json_file, Path):
        body = runs[0] if len(runs) == 1 else {"runs": runs}
        json_file.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
        click.echo(f"{json_file}: записан")
