"""`reglament report -m M --from DATE --to DATE`: the timeliness report in the terminal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from engine.db import make_engine, make_session_factory
from engine.municipalities import is_known
from engine.reports.build import build_report
from engine.reports.model import Filters
from engine.reports.text import render_text
from engine.reports.xlsx import write_xlsx
from engine.runtime import Runtime
from engine.settings import Settings
from engine.worktime.settings import CalendarConfigError


def run_report(
    municipality: str,
    date_from: date,
    date_to: date,
    *,
    department: str | None,
    source: str | None,
    xlsx: Path | None,
    as_json: bool,
) -> None:
    """Build the report in a read-only session and print it (and write the workbook)."""
    settings = Settings.from_env()
    if not is_known(municipality, settings.processes_dir):
        raise click.BadParameter(f"нет муниципалитета «{municipality}»", param_hint="-m")
    if date_to < date_from:
        raise click.BadParameter("конец периода раньше его начала", param_hint="--to")
    runtime = Runtime(processes_dir=settings.processes_dir)
    filters = Filters(municipality, date_from, date_to, department, source)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            report = build_report(session, runtime, filters)
    except CalendarConfigError as error:
        raise click.ClickException(str(error)) from error
    finally:
        engine.dispose()
    if xlsx is not None:
        write_xlsx(report, xlsx)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(report))
    if xlsx is not None and not as_json:
        click.echo(f"\n{xlsx}: записан")
