"""`reglament import FILE -m M`: an ИМ/ПОС export into messages, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from adapters.channel import Context
from adapters.imports.files import FileFormatError, read_rows
from adapters.imports.importer import ImportReport, import_rows, missing_columns
from adapters.imports.mapping import MappingError, find_mapping
from engine.db import make_engine, make_session_factory
from engine.municipalities import is_known
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.settings import Settings


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-m", "--municipality", required=True, help="The municipality the rows belong to.")
@click.option(
    "--mapping",
    "mapping_name",
    default=None,
    help="Column mapping (default: «default» or incident_manager).",
)
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@click.option("--all-or-nothing", is_flag=True, help="Store nothing if any row has an error.")
@click.option("--actor", default="import", show_default=True)
def import_command(
    file: Path,
    municipality: str,
    mapping_name: str | None,
    dry_run: bool,
    all_or_nothing: bool,
    actor: str,
) -> None:
    """Import an exported file (XLSX, CSV, JSON) of «Инцидент Менеджмент» or ПОС."""
    settings = Settings.from_env()
    if not is_known(municipality, settings.processes_dir):
        raise click.UsageError(f"unknown municipality {municipality!r}")
    try:
        mapping = find_mapping(municipality, mapping_name)
        rows = read_rows(file.name, file.read_bytes())
    except (MappingError, FileFormatError) as error:
        raise click.ClickException(str(error)) from error
    missing = missing_columns(mapping, rows)
    if missing:
        raise click.ClickException(
            f"{file.name}: нет колонок {', '.join(missing)} (сопоставление {mapping.name})"
        )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    context = Context(sessions=make_session_factory(engine), runtime=runtime)
    with click.progressbar(length=len(rows), label=f"{file.name}", file=sys.stderr) as bar:
        report = import_rows(
            context,
            municipality,
            mapping,
            rows,
            actor=actor,
            dry_run=dry_run,
            all_or_nothing=all_or_nothing,
            progress=bar.update,
        )
    engine.dispose()
    _print(report, dry_run)
    if report.errors:
        raise SystemExit(1)


def _print(report: ImportReport, dry_run: bool) -> None:
    for number, reason in report.errors:
        click.echo(f"строка {number}: {reason}")
    verb = "можно импортировать" if dry_run else "импортировано"
    if not report.committed and not dry_run:
        verb = "не импортировано (ошибки, --all-or-nothing)"
        click.echo(f"{verb}: 0 из {report.total}")
    else:
        click.echo(f"{verb}: {report.imported}")
    click.echo(f"уже были: {report.already}, ошибок: {len(report.errors)}, строк: {report.total}")
