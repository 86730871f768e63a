"""`reglament case list|show|retry`: find parked cases and resume them (each owns its work)."""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine, make_session_factory
from engine.models import OpenUserTask, ProcessInstance
from engine.recovery import InstanceNotParked, retry_case
from engine.runtime import Runtime
from engine.settings import Settings
from engine.statuses import InstanceStatus


def _sessions() -> tuple[Settings, sessionmaker[Session]]:
    settings = Settings.from_env()
    return settings, make_session_factory(make_engine(settings.database_url))


@click.group("case")
def case_command() -> None:
    """Inspect cases and resume those parked by an error of their regulation."""


@case_command.command("list")
@click.option(
    "--status",
    type=click.Choice([status.value for status in InstanceStatus]),
    default=InstanceStatus.ERROR.value,
    show_default=True,
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_cases(status: str, limit: int) -> None:
    """Cases in a status, most recently changed first, with the reason of parked ones."""
    _, sessions = _sessions()
    with sessions() as session:
        rows = session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.status == InstanceStatus(status))
            .order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
            .limit(limit)
        ).all()
        for instance in rows:
            reason = (instance.error or "").splitlines()[0] if instance.error else ""
            click.echo(
                f"{instance.id}\t{instance.municipality}\t{instance.status.value}\t"
                f"{instance.updated_at.isoformat()}\t{reason}".rstrip()
            )
    click.echo(f"{len(rows)} case(s) {status}")


@case_command.command("show")
@click.argument("instance_id", type=int)
def show_case(instance_id: int) -> None:
    """A case's status, reason, next deadline and open steps."""
    _, sessions = _sessions()
    with sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise click.ClickException(f"no case {instance_id}")
        tasks = session.scalars(
            select(OpenUserTask).where(OpenUserTask.instance_id == instance_id)
        ).all()
        due = instance.next_due_at.isoformat() if instance.next_due_at else "—"
        click.echo(f"case {instance.id} ({instance.municipality}): {instance.status.value}")
        click.echo(f"next timer due: {due}")
        if instance.error:
            click.echo(f"error: {instance.error}")
        for task in tasks:
            click.echo(f"open step: {task.element_id} ({task.name}), task {task.task_id}")


@case_command.command("retry")
@click.argument("instance_id", type=int)
@click.option("--actor", default="admin", show_default=True, help="Who resumes it (audited).")
def retry(instance_id: int, actor: str) -> None:
    """Resume a parked case: back to running, and advance it once (due timers fire)."""
    settings, sessions = _sessions()
    runtime = Runtime(processes_dir=settings.processes_dir)
    try:
        with sessions.begin() as session:
            if session.get(ProcessInstance, instance_id) is None:
                raise click.ClickException(f"no case {instance_id}")
            result = retry_case(session, runtime, instance_id, actor)
    except InstanceNotParked as error:
        raise click.ClickException(str(error)) from error
    if result.parked_again:
        reason = f"case {instance_id} failed again and stays parked: {result.error}"
        raise click.ClickException(reason)
    click.echo(f"case {instance_id} resumed: {result.instance.status.value}")
