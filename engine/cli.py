"""The `reglament` command line: each command owns its unit of work."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import defaultdict
from pathlib import Path

import click

from engine.accounts_cli import user_command
from engine.case_cli import case_command
from engine.db import make_engine, make_session_factory
from engine.demo import deploy_all, seed_messages, task_list
from engine.runtime import Runtime
from engine.scenarios import ScenarioFormatError, ScenarioResult, find_scenarios, run_file
from engine.schema import upgrade
from engine.settings import Settings
from engine.traceability import (
    DEADLINE_TABLE,
    clause_index,
    load_deadline_table,
    untraced_rows,
)
from engine.versions import DeployError, deploy_file, parse_file
from engine.worker import run_worker
from engine.worktime.calendar_cli import calendar_group
from engine.worktime.cli import deadline_command


@click.group()
def main() -> None:
    """Reglament: municipal regulations for answering citizens' messages, run as BPMN."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change


main.add_command(deadline_command)
main.add_command(calendar_group)
main.add_command(user_command)
main.add_command(case_command)


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    settings = Settings.from_env()
    upgrade(make_engine(settings.database_url))
    click.echo(f"schema is up to date: {settings.database_url}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--actor", default="admin", show_default=True)
@click.option("--no-activate", is_flag=True, help="Store the version without making it active.")
def deploy(paths: tuple[Path, ...], actor: str, no_activate: bool) -> None:
    """Deploy BPMN files (processes/<municipality>/<version>/<file>.bpmn)."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    factory = make_session_factory(engine)
    for path in paths:
        try:
            with factory.begin() as session:
                result = deploy_file(session, runtime, path, actor, activate=not no_activate)
                state = "deployed" if result.created else "unchanged"
                click.echo(
                    f"{path}: {state} as version {result.version.id} "
                    f"({result.version.municipality}/{result.version.label})"
                )
                for warning in result.warnings:
                    click.echo(f"{path}: warning: {warning}")
        except DeployError as error:
            raise click.ClickException(f"{path}: refused: {error}") from error


@main.command()
@click.option("--once", is_flag=True, help="Run one tick and exit.")
def worker(once: bool) -> None:
    """Fire due timers: advance every case whose next deadline has passed."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    ticks = run_worker(
        make_session_factory(engine),
        runtime,
        interval_seconds=settings.worker_interval_seconds,
        batch_size=settings.worker_batch_size,
        stop=threading.Event(),
        max_ticks=1 if once else None,
    )
    click.echo(f"worker stopped after {ticks} tick(s)")


@main.command()
@click.option("--ticks", type=int, default=None, help="Stop the worker after this many ticks.")
def demo(ticks: int | None) -> None:
    """Create the database, deploy every regulation, seed demo messages, run the worker."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    sessions = make_session_factory(engine)
    for line in deploy_all(sessions, runtime):
        click.echo(line)
    seeded = seed_messages(sessions, runtime, "example")
    click.echo(f"demo messages seeded: {seeded} (database {settings.database_url})")
    run_worker(
        sessions,
        runtime,
        interval_seconds=0,
        batch_size=settings.worker_batch_size,
        stop=threading.Event(),
        max_ticks=1,
    )
    click.echo("open tasks:")
    for line in task_list(sessions):
        click.echo(f"  {line}")
    click.echo("worker running; Ctrl+C stops it")
    run_worker(
        sessions,
        runtime,
        interval_seconds=settings.worker_interval_seconds,
        batch_size=settings.worker_batch_size,
        stop=threading.Event(),
        max_ticks=ticks,
    )


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def clauses(path: Path) -> None:
    """List each clause a BPMN file cites and the elements that implement it."""
    try:
        parsed = parse_file(path)
    except DeployError as error:
        raise click.ClickException(f"{path}: {error}") from error
    for clause, elements in clause_index(parsed.catalog).items():
        click.echo(f"{clause}: {', '.join(elements)}")
    table = path.parent / DEADLINE_TABLE
    if table.exists():
        missing = untraced_rows(load_deadline_table(table), parsed.catalog)
        for row in missing:
            click.echo(f"UNTRACED {row.clause} {row.step}: {row.deadline}")
        if missing:
            sys.exit(1)


@main.group()
def scenario() -> None:
    """Simulate regulations on a virtual clock."""


PROCESSES_DIR = click.option(
    "--processes-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Where municipality folders are (default: three folders above each scenario file).",
)


@scenario.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", is_flag=True, help="Print clause → scenarios that exercise it.")
@PROCESSES_DIR
def scenario_run(paths: tuple[Path, ...], coverage: bool, processes_dir: Path | None) -> None:
    """Run scenario files (or every one under folders); non-zero exit on any failure."""
    try:
        files = find_scenarios(list(paths))
    except ScenarioFormatError as error:
        raise click.ClickException(str(error)) from error
    results = []
    for path in files:  # a malformed file fails alone; the others still run
        result = run_file(path, processes_dir)
        results.append(result)
        click.echo(f"{'PASS' if result.passed else 'FAIL'} {result.path}: {result.name}")
        if result.failure:
            click.echo(f"     {result.failure}")
    if coverage:
        _print_coverage(results)
    failed = sum(not result.passed for result in results)
    click.echo(f"scenarios: {len(results) - failed} passed, {failed} failed")
    if failed or not results:
        sys.exit(1)


def _print_coverage(results: list[ScenarioResult]) -> None:
    by_clause: dict[str, list[str]] = defaultdict(list)
    for result in results:
        for clause in result.clauses:
            by_clause[clause].append(result.path.name)
    click.echo("coverage (clause → scenarios):")
    for clause in sorted(by_clause):
        click.echo(f"  {clause}: {', '.join(sorted(by_clause[clause]))}")


@scenario.command("trace")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PROCESSES_DIR
def scenario_trace(path: Path, processes_dir: Path | None) -> None:
    """Print a scenario's events as JSON lines."""
    result = run_file(path, processes_dir)
    for line in result.trace:
        click.echo(json.dumps(line, ensure_ascii=False))
    if result.failure:
        raise click.ClickException(result.failure)


if __name__ == "__main__":
    main()
