"""The `reglament` command line: each command owns its unit of work."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import defaultdict
from importlib.metadata import entry_points
from pathlib import Path

import click

from engine.accounts_cli import user_command
from engine.api_tokens_cli import token_command
from engine.case_cli import case_command
from engine.checks.command import check_command
from engine.db import make_engine, make_session_factory
from engine.demo import deploy_all, seed_messages, task_list
from engine.report_cli import clauses_command, report_group
from engine.runtime import Runtime
from engine.scenarios import ScenarioFormatError, ScenarioResult, find_scenarios, run_file
from engine.scenarios.coverage import uncovered_by_version
from engine.schema import upgrade
from engine.selftest import TestedDeployment, deploy_version
from engine.settings import Settings
from engine.simulation.cli import simulate_command
from engine.versioning.cli import settings_group, version_group
from engine.versioning.runs import worker_job as migration_job
from engine.versions import DeployError
from engine.worker import installed_jobs, run_worker
from engine.worktime.calendar_cli import calendar_group
from engine.worktime.cli import deadline_command
from engine.worktime.schedule_cli import schedule_command


@click.group()
def main() -> None:
    """Reglament: municipal regulations for answering citizens' messages, run as BPMN."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change


main.add_command(deadline_command)
main.add_command(calendar_group)
main.add_command(schedule_command)
main.add_command(user_command)
main.add_command(case_command)
main.add_command(clauses_command)
main.add_command(report_group)
main.add_command(check_command)
main.add_command(version_group)
main.add_command(settings_group)
main.add_command(token_command)
main.add_command(simulate_command)


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
@click.option(
    "--no-scenarios",
    is_flag=True,
    help="Emergency only: deploy without running the version's scenarios (audited).",
)
@click.option("--reason", default=None, help="Why the scenarios are skipped (with --no-scenarios).")
def deploy(
    paths: tuple[Path, ...], actor: str, no_activate: bool, no_scenarios: bool, reason: str | None
) -> None:
    """Deploy version folders' BPMN files once their scenarios pass (processes/<m>/<v>/<f>.bpmn)."""
    if no_scenarios and not (reason or "").strip():
        raise click.UsageError("--no-scenarios needs --reason TEXT: skipping them is audited")
    if reason and not no_scenarios:
        raise click.UsageError("--reason is given only with --no-scenarios")
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    factory = make_session_factory(engine)
    untested_because = reason if no_scenarios else None
    for path in paths:
        try:
            with factory.begin() as session:
                outcome = deploy_version(
                    session,
                    runtime,
                    path,
                    actor,
                    untested_because=untested_because,
                    activate=not no_activate,
                )
                _print_deployment(path, outcome)
        except DeployError as error:
            raise click.ClickException(f"{path}: refused: {error}") from error


def _print_deployment(path: Path, outcome: TestedDeployment) -> None:
    result, version = outcome.deployment, outcome.deployment.version
    state = "deployed" if result.created else "unchanged"
    click.echo(f"{path}: {state} as version {version.id} ({version.municipality}/{version.label})")
    if not result.created and not version.is_active:  # redeploying never switches silently
        click.echo(
            f"{path}: not active; to make it active: "
            f"reglament version activate {version.municipality} {version.label}"
        )
    if outcome.tested is not None:
        click.echo(f"{path}: self-test passed: {len(outcome.tested.results)} scenario(s)")
    elif result.created:
        click.echo(f"{path}: deployed WITHOUT running its scenarios (audited)")
    for warning in result.warnings:
        click.echo(f"{path}: warning: {warning}")


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
        # Migrations the web queued (engine/versioning/runs.py), then the installed jobs, e.g.
        # publishing answers (adapters/publishing).
        jobs=[migration_job, *installed_jobs()],
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
    click.echo("coverage (clause → scenarios whose trace exercised a step citing it):")
    for clause in sorted(by_clause):
        click.echo(f"  {clause}: {', '.join(sorted(by_clause[clause]))}")
    for version, uncovered in uncovered_by_version(results).items():
        click.echo(f"uncovered in {version}: {', '.join(uncovered) or '—'}")


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


# Commands of the adapters (`import`, `poll`) are entry points, so the engine never imports them.
for _plugin in entry_points(group="reglament.commands"):
    main.add_command(_plugin.load(), _plugin.name)


if __name__ == "__main__":
    main()
