"""`reglament check PATH...`: every deploy check on version folders, deploying nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.bpmn.parsing import DeployError
from engine.checks.registry import ChecksRefused
from engine.worktime.settings import CalendarConfigError


def bpmn_files(paths: tuple[Path, ...]) -> list[Path]:
    """The BPMN files named, or found under the folders named, in order."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.bpmn")) if path.is_dir() else [path]
    return found


def problems_of(path: Path) -> tuple[list[str], list[str]]:
    """The refusals and the warnings deploying this BPMN file would give."""
    from engine.preparing import prepare_version  # deploy's own path (imports this package)
    from engine.runtime import Runtime
    from engine.versions import VersionFiles, locate

    municipality, _label = locate(path)
    runtime = Runtime(processes_dir=path.resolve().parent.parent.parent)
    try:
        prepared = prepare_version(VersionFiles.read(path), municipality, runtime)
    except ChecksRefused as refused:
        return [str(problem) for problem in refused.problems], []
    except (DeployError, CalendarConfigError) as error:
        return [str(error)], []
    return [], prepared.warnings


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def check_command(paths: tuple[Path, ...]) -> None:
    """Check version folders as deploy would, deploying nothing; exit 1 on any refusal."""
    files = bpmn_files(paths)
    refused = 0
    for path in files:
        problems, warnings = problems_of(path)
        if problems:
            refused += 1
            click.echo(f"{path}: НЕ ПРИНЯТ, замечаний: {len(problems)}")
            click.echo("\n".join(f"  {number}. {text}" for number, text in enumerate(problems, 1)))
        else:
            click.echo(f"{path}: принят, замечаний нет")
        for warning in warnings:
            click.echo(f"  предупреждение: {warning}")
    click.echo(f"проверено файлов: {len(files)}, не принято: {refused}")
    if refused or not files:
        sys.exit(1)
