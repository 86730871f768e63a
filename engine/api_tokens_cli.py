"""`reglament token ...`: the REST API's bearer tokens, created and revoked by an administrator."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session, sessionmaker

from engine.api_tokens import TokenError, create_token, revoke_token, tokens_of
from engine.db import make_engine, make_session_factory
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.settings import Settings


@click.group("token")
def token_command() -> None:
    """Bearer tokens of integrations using the REST API (docs/api.md)."""


@token_command.command("create")
@click.argument("name")
@click.option("-m", "--municipality", required=True, help="The one municipality it may use.")
@click.option("--actor", default="admin", show_default=True, help="Who creates it (audited).")
def create(name: str, municipality: str, actor: str) -> None:
    """Create a token; its value is printed once and only its hash is kept."""
    sessions, runtime = _sessions()
    with sessions.begin() as session:
        try:
            new = create_token(session, runtime, name, municipality, actor)
        except TokenError as error:
            raise click.ClickException(str(error)) from error
        token_id = new.row.id
    click.echo(f"token {token_id} for {name!r} ({municipality}); keep it, it is not shown again:")
    click.echo(new.plain)


@token_command.command("revoke")
@click.argument("token_id", type=int)
@click.option("--actor", default="admin", show_default=True)
def revoke(token_id: int, actor: str) -> None:
    """Revoke a token: its next request is refused (401)."""
    sessions, runtime = _sessions()
    with sessions.begin() as session:
        try:
            revoke_token(session, runtime, token_id, actor)
        except TokenError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"token {token_id} revoked")


@token_command.command("list")
@click.option("-m", "--municipality", default=None)
def list_tokens(municipality: str | None) -> None:
    """Tokens with their prefix, municipality and state (never their value)."""
    sessions, _ = _sessions()
    with sessions() as session:
        for row in tokens_of(session, municipality):
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            click.echo(f"{row.id}\t{row.prefix}…\t{row.municipality}\t{row.name}\t{state}")


def _sessions() -> tuple[sessionmaker[Session], Runtime]:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine), Runtime(processes_dir=settings.processes_dir)
