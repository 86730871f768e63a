"""`reglament version ...`: list, activate (now or on a date), roll back, diff, migrate."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session

from engine.db import make_engine, make_session_factory
from engine.models import ProcessVersion
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.settings import Settings
from engine.versioning.activation import ActivationError, activate_now, rollback, schedule
from engine.versioning.batch import (
    MappingError,
    cases_to_migrate,
    mapping_problems,
    migrate_batch,
    plan_for,
    read_mapping,
    report_json,
)
from engine.versioning.diff import diff_versions, settings_changes
from engine.versioning.listing import VersionNotFound, version_by_label, version_rows
from engine.versioning.migration import CaseVerdict, MigrationPlan
from engine.versioning.snapshot import settings_bytes
from engine.versions import NoActiveVersion, active_version

ACTOR = click.option("--actor", default="admin", show_default=True, help="Who acts (audited).")
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@click.group("version")
def version_group() -> None:
    """Regulation versions: list, activate, roll back, diff, migrate running cases."""


@contextmanager
def unit_of_work() -> Iterator[tuple[Session, Runtime]]:
    """One transaction on the configured database; refusals become clear CLI errors."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    try:
        with make_session_factory(engine).begin() as session:
            yield session, runtime
    except (VersionNotFound, ActivationError, NoActiveVersion) as error:
        raise click.ClickException(str(error)) from error
    finally:
        engine.dispose()


@version_group.command("list")
@click.option("-m", "--municipality", default=None, help="Only this municipality.")
@JSON
def list_command(municipality: str | None, as_json: bool) -> None:
    """Versions in version order: hash, deployed and activated at and by, state, running cases."""
    with unit_of_work() as (session, _):
        rows = version_rows(session, municipality)
        if as_json:
            click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
            return
        click.echo(
            "муниципалитет\tверсия\tsha256\tразвёрнута\tкем\tвведена\tкем\tсостояние\tдел в работе"
        )
        for row in rows:
            click.echo(
                "\t".join(
                    [
                        row.municipality,
                        row.label,
                        row.sha256[:12],
                        _moment(row.deployed_at),
                        row.deployed_by,
                        _moment(row.activated_at),
                        row.activated_by or "—",
                        row.state,
                        str(row.running),
                    ]
                )
            )


@version_group.command("activate")
@click.argument("municipality")
@click.argument("label")
@click.option(
    "--at", "at_text", default=None, help="ISO moment with its offset: a scheduled switch."
)
@ACTOR
def activate_command(municipality: str, label: str, at_text: str | None, actor: str) -> None:
    """Make a version the one new messages start on, now or from --at (the worker switches)."""
    at = _parse_moment(at_text) if at_text else None
    with unit_of_work() as (session, runtime):
        version = version_by_label(session, municipality, label)
        now = runtime.clock.now()
        if at is None or at <= now:
            if version.is_active:
                raise click.ClickException(f"Версия «{label}» уже действующая.")
            activate_now(session, version, actor, now)
            click.echo(f"{municipality}/{label}: действующая с {_moment(now)}")
            return
        schedule(session, version, actor, now, at)
        click.echo(f"{municipality}/{label}: станет действующей {_moment(at)} (переключит worker)")


@version_group.command("rollback")
@click.argument("municipality")
@ACTOR
def rollback_command(municipality: str, actor: str) -> None:
    """Back to the version that was active before the current one (audited)."""
    with unit_of_work() as (session, runtime):
        row = rollback(session, municipality, actor, runtime.clock.now())
        label = version_label(session, row.version_id)
        click.echo(f"{municipality}: откат на версию «{label}» выполнен")


SECTIONS = {
    "steps": "Шаги",
    "deadlines": "Сроки",
    "forms": "Формы",
    "roles": "Роли",
    "flows": "Переходы",
    "settings": "Настройки",
}


@version_group.command("diff")
@click.argument("municipality")
@click.argument("old_label", metavar="A")
@click.argument("new_label", metavar="B")
@JSON
def diff_command(municipality: str, old_label: str, new_label: str, as_json: bool) -> None:
    """What version B changes against A: steps, deadlines, forms, roles, flows, with ids."""
    with unit_of_work() as (session, _):
        found = diff_versions(
            version_by_label(session, municipality, old_label),
            version_by_label(session, municipality, new_label),
        )
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{municipality}: {old_label} → {new_label}")
    if not found.changes:
        click.echo("  изменений нет")
    for section, title in SECTIONS.items():
        changes = [change for change in found.changes if change.section == section]
        if changes:
            click.echo(f"{title}:")
        for change in changes:
            element = f" [{change.element_id}]" if change.element_id else ""
            click.echo(f"  {change.text}{element}")


PROGRESS_FROM = 50  # cases: a larger batch shows a progress bar on stderr


@version_group.command("migrate")
@click.argument("municipality")
@click.option("--from", "old_label", required=True, help="The version the cases run on.")
@click.option("--to", "new_label", required=True, help="The version to move them to.")
@click.option("--dry-run", is_flag=True, help="Report every verdict; change nothing.")
@click.option("--case", "case_ids", type=int, multiple=True, help="Only these cases (repeatable).")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML/JSON {removed element id: new element id}.",
)
@click.option(
    "--recompute-deadlines",
    is_flag=True,
    help="Recount armed deadlines under the new table (default: they keep their due moment).",
)
@ACTOR
@JSON
def migrate_command(
    municipality: str,
    old_label: str,
    new_label: str,
    dry_run: bool,
    case_ids: tuple[int, ...],
    mapping_path: Path | None,
    recompute_deadlines: bool,
    actor: str,
    as_json: bool,
) -> None:
    """Move running cases from one version to another, each in its own transaction."""
    try:
        mapping = read_mapping(mapping_path) if mapping_path else {}
    except MappingError as error:
        raise click.BadParameter(str(error), param_hint="--mapping") from error
    with unit_of_work() as (session, runtime):
        plan = plan_for(
            session, municipality, old_label, new_label, mapping, recompute=recompute_deadlines
        )
        problems = mapping_problems(plan)
        if problems:
            raise click.BadParameter("; ".join(problems), param_hint="--mapping")
        ids = list(case_ids) or cases_to_migrate(session, plan)
    factory = make_session_factory(make_engine(Settings.from_env().database_url))
    with click.progressbar(
        length=len(ids), label="дела", file=sys.stderr, hidden=len(ids) < PROGRESS_FROM
    ) as bar:
        verdicts = migrate_batch(
            factory, runtime, plan, ids, actor, dry_run=dry_run, progress=lambda _: bar.update(1)
        )
    if as_json:
        click.echo(report_json(verdicts, plan, dry_run))
    else:
        _print_verdicts(verdicts, plan, dry_run)
    if any(not verdict.can for verdict in verdicts):
        sys.exit(1)


def _print_verdicts(verdicts: list[CaseVerdict], plan: MigrationPlan, dry_run: bool) -> None:
    mode = "пробный прогон" if dry_run else "перенос"
    click.echo(f"{plan.old.municipality}: {plan.old.label} → {plan.new.label} ({mode})")
    for verdict in verdicts:
        if verdict.already:
            click.echo(f"  дело {verdict.instance_id}: уже на версии «{plan.new.label}»")
        elif not verdict.can:
            click.echo(f"  дело {verdict.instance_id}: НЕЛЬЗЯ — {verdict.reason}")
        else:
            steps = f"{', '.join(verdict.steps_before)} → {', '.join(verdict.steps_after) or '—'}"
            click.echo(f"  дело {verdict.instance_id}: можно; шаг {steps}")
            for shift in verdict.deadlines:
                click.echo(
                    f"    срок «{shift.name}»: {shift.old_due} ({shift.old_text}) → "
                    f"{shift.new_due} ({shift.new_text})"
                )
    movable = sum(verdict.can and not verdict.already for verdict in verdicts)
    click.echo(f"можно перенести: {movable}, нельзя: {sum(not v.can for v in verdicts)}")


@click.group("settings")
def settings_group() -> None:
    """A municipality's settings (municipality.yaml) as versions snapshot them."""


@settings_group.command("diff")
@click.argument("municipality")
def settings_diff_command(municipality: str) -> None:
    """What the next deploy would change in settings, against the active version's snapshot."""
    with unit_of_work() as (session, runtime):
        current = active_version(session, municipality)
        on_disk = settings_bytes(municipality, runtime.processes_dir).decode("utf-8")
        changes = settings_changes(current.settings_yaml, on_disk)
    click.echo(f"{municipality}: municipality.yaml against version «{current.label}»")
    for change in changes:
        click.echo(f"  {change.text}")
        click.echo(f"    было: {json.dumps(change.old, ensure_ascii=False, default=str)}")
        click.echo(f"    стало: {json.dumps(change.new, ensure_ascii=False, default=str)}")
    if not changes:
        click.echo("  изменений нет")


def version_label(session: Session, version_id: int) -> str:
    """A version's label by id."""
    return session.get_one(ProcessVersion, version_id).label


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"«{text}» — не момент ISO 8601 (например, 2027-01-01T00:00+05:00)", param_hint="--at"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"«{text}»: укажите смещение часового пояса (например, +05:00)", param_hint="--at"
        )
    return moment


def _moment(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment is not None else "—"
