"""`reglament clauses`, `report regulation` (a version) and `report -m M` (timeliness)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from engine.regulation.table import TABLE_FILE
from engine.report import (
    RegulationReport,
    bpmn_of,
    build_report,
    folder_inputs,
    folder_report,
    render_html,
)
from engine.report.model import ClauseView
from engine.reports.cli import run_report
from engine.traceability import load_deadline_table, untabled_timers, untraced_rows
from engine.versions import DeployError, parse_file
from engine.worktime.settings import CalendarConfigError

PATH = click.argument("path", type=click.Path(exists=True, path_type=Path))
PROCESSES_DIR = click.option(
    "--processes-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Where municipality folders are (default: two folders above the version folder).",
)


def _bpmn(path: Path) -> Path:
    try:
        return bpmn_of(path)
    except DeployError as error:
        raise click.ClickException(str(error)) from error


def _processes_dir(bpmn: Path, given: Path | None) -> Path:
    return given or bpmn.resolve().parent.parent.parent


@click.command("clauses")
@PATH
@PROCESSES_DIR
def clauses_command(path: Path, processes_dir: Path | None) -> None:
    """Clause → steps, roles and terms; what cites nothing; the table's rows no timer has."""
    bpmn = _bpmn(path)
    try:
        report = build_report(folder_inputs(bpmn, _processes_dir(bpmn, processes_dir), None))
    except (DeployError, CalendarConfigError) as error:
        raise click.ClickException(f"{bpmn}: {error}") from error
    for clause in report.clauses:
        _echo_clause(clause)
    _echo_findings(report)
    if _table_disagrees(bpmn):
        sys.exit(1)


def _echo_clause(clause: ClauseView) -> None:
    first = (clause.text or "").split("\n", 1)[0]
    decree = " (постановление)" if clause.part == "decree" else ""
    click.echo(f"{clause.citation}{decree}: {_short(first) or '—'}")
    for step in clause.steps:
        click.echo(f"  шаг: «{step.name}» ({step.id}) — {step.kind}")
    if clause.roles:
        click.echo(f"  роли: {'; '.join(clause.roles)}")
    for term in clause.deadlines:
        steps = ", ".join(f"«{name}»" for name in term.step_names)
        click.echo(f"  срок: {term.text} — {term.start}, {term.counted} (шаг {steps})")


def _echo_findings(report: RegulationReport) -> None:
    for step in report.uncited_elements:
        click.echo(f"CITES NOTHING {step.id}: «{step.name}» — {step.kind}")
    for clause in report.uncited_document:
        click.echo(f"NOT CITED п. {clause.number}: {_short(clause.text.split(chr(10))[0])}")
    for citation in report.unknown_citations:
        click.echo(f"NOT IN THE DOCUMENT {citation}")
    if not report.has_document:
        click.echo(f"NO DOCUMENT processes/{report.municipality}/document.txt")


def _table_disagrees(bpmn: Path) -> bool:
    """Print the deadline table's rows no timer implements and timer terms no row lists."""
    table = bpmn.parent / TABLE_FILE
    if not table.exists():
        return False
    rows, catalog = load_deadline_table(table), parse_file(bpmn).catalog
    missing = untraced_rows(rows, catalog)
    for row in missing:
        click.echo(f"UNTRACED {row.clause} {row.step}: {row.deadline}")
    unlisted = untabled_timers(rows, catalog)
    for timer, term in unlisted:
        click.echo(f"UNTABLED {timer}: {term}")
    return bool(missing or unlisted)


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


@click.group("report", invoke_without_command=True)
@click.option("-m", "--municipality", default=None, help="The municipality (processes/<m>/).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--department", default=None, help="Only this department's deadlines and cases.")
@click.option("--source", default=None, help="Only cases whose first message came from here.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def report_group(
    context: click.Context,
    municipality: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
    department: str | None,
    source: str | None,
    xlsx: Path | None,
    as_json: bool,
) -> None:
    """Reports: with -m, --from and --to the timeliness report; `report regulation` a version."""
    if context.invoked_subcommand is not None:
        return
    if municipality is None or date_from is None or date_to is None:
        raise click.UsageError("the timeliness report needs -m M --from DATE --to DATE")
    run_report(
        municipality,
        date_from.date(),
        date_to.date(),
        department=department,
        source=source,
        xlsx=xlsx,
        as_json=as_json,
    )


@report_group.command("regulation")
@PATH
@click.option("--html", "html_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@PROCESSES_DIR
def regulation_report(path: Path, html_file: Path, processes_dir: Path | None) -> None:
    """A printable report of a version: per clause its text, steps, who, terms, scenarios."""
    bpmn = _bpmn(path)
    try:
        report = folder_report(bpmn, _processes_dir(bpmn, processes_dir))
    except (DeployError, CalendarConfigError) as error:
        raise click.ClickException(f"{bpmn}: {error}") from error
    html_file.write_text(render_html(report), encoding="utf-8")
    click.echo(f"{html_file}: {len(report.clauses)} clause(s), {len(report.uncovered)} uncovered")
    if report.evidence and report.evidence.failed:
        click.echo(f"failed scenarios: {', '.join(report.evidence.failed)}")
