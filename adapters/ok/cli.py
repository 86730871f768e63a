"""`reglament poll ok`: read the watched topics' comments of every municipality that set OK up."""

from __future__ import annotations

import logging
import time

import click
import httpx

from adapters.channel import Context, Refusal
from adapters.ok.poll import PollError, poll_municipality
from adapters.secrets import channel_secret
from engine.db import make_engine, make_session_factory
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.settings import Settings

log = logging.getLogger("reglament.adapters.ok")


@click.group("poll")
def poll_group() -> None:
    """Poll channels that have no webhook for what is needed."""


@poll_group.command("ok")
@click.option("-m", "--municipality", "only", multiple=True, help="Only these municipalities.")
@click.option("--every", type=float, default=None, help="Poll again every N seconds until stopped.")
def poll_ok(only: tuple[str, ...], every: float | None) -> None:
    """Comments of the watched OK topics (discussions.getComments) into messages."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    runtime = Runtime(processes_dir=settings.processes_dir, intake=settings.intake)
    context = Context(sessions=make_session_factory(engine), runtime=runtime)
    names = only or tuple(
        sorted(
            path.parent.name
            for path in settings.processes_dir.glob("*/municipality.yaml")
            if channel_secret(path.parent.name, "ok", "access_token")
        )
    )
    failed = False
    with httpx.Client() as client:
        while True:
            for name in names:
                try:
                    report = poll_municipality(context, name, client)
                except (PollError, Refusal) as error:
                    failed = True
                    click.echo(f"{name}: {error}", err=True)
                    continue
                click.echo(
                    f"{name}: новых {report.accepted}, уже были {report.duplicates}, "
                    f"пропущено {report.skipped}, отклонено {report.refused}"
                )
            if every is None:
                break
            time.sleep(every)  # operational pacing, not business time
    engine.dispose()
    if failed:
        raise SystemExit(1)
