"""`reglament user ...`: staff accounts from the command line (the production way to add them)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import (
    AccountError,
    create_user,
    deactivate_user,
    find_user,
    set_password,
)
from engine.db import make_engine, make_session_factory
from engine.models import User
from engine.municipalities import load_municipality
from engine.roles import RoleRegistry
from engine.schema import upgrade
from engine.settings import Settings
from engine.worktime.settings import CalendarConfigError

password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


@click.group("user")
def user_command() -> None:
    """Add staff accounts, change passwords, close accounts."""


@user_command.command("add")
@click.argument("login")
@click.option("--name", "full_name", required=True, help="Full name as staff read it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="A role of the municipality (today's roles and those of its municipality.yaml).",
)
@click.option("--municipality", required=True, help="The municipality folder, e.g. perm.")
@click.option("--department", default=None, help="The department id (executors).")
@click.option("--email", default=None, help="Where mail notices go (optional).")
@password_stdin
def add(
    login: str,
    full_name: str,
    roles: tuple[str, ...],
    municipality: str,
    department: str | None,
    email: str | None,
    password_stdin: bool,
) -> None:
    """Add a member of staff."""
    known_roles, known_departments = _municipality_staff(municipality)
    password = _password(password_stdin)
    with _sessions().begin() as session:
        _refusing(
            lambda: create_user(
                session,
                login=login,
                password=password,
                full_name=full_name,
                roles=list(roles),
                municipality=municipality,
                department=department,
                email=email,
                known_roles=known_roles,
                known_departments=known_departments,
            )
        )
    click.echo(f"user {login} added ({', '.join(roles)}, {municipality})")


@user_command.command("password")
@click.argument("login")
@click.option(
    "--temporary",
    is_flag=True,
    help="A password for the user to replace: they must choose their own at the next sign-in.",
)
@password_stdin
def password(login: str, temporary: bool, password_stdin: bool) -> None:
    """Set a new password; the user's open sessions end."""
    new_password = _password(password_stdin)
    with _sessions().begin() as session:
        user = _existing(session, login)
        _refusing(lambda: set_password(session, user, new_password))
        # Without --temporary the password is the user's own (typed by them, or handed over as
        # final): an earlier reset's demand to choose one is met.
        user.must_change_password = temporary
    then = "; a new one is asked at the next sign-in" if temporary else ""
    click.echo(f"password of {login} changed; its sessions ended{then}")


@user_command.command("deactivate")
@click.argument("login")
def deactivate(login: str) -> None:
    """Close an account: it cannot sign in and its open sessions end."""
    with _sessions().begin() as session:
        deactivate_user(session, _existing(session, login))
    click.echo(f"user {login} deactivated")


def _municipality_staff(municipality: str) -> tuple[RoleRegistry, tuple[str, ...]]:
    """The roles and department ids a municipality's accounts may hold; unknown: refused."""
    try:
        settings = load_municipality(municipality, Settings.from_env().processes_dir)
    except CalendarConfigError as error:
        raise click.ClickException(f"refused: municipality: {error}") from error
    return settings.roles, tuple(item.id for item in settings.departments)


def _sessions() -> sessionmaker[Session]:
    engine = make_engine(Settings.from_env().database_url)
    upgrade(engine)
    return make_session_factory(engine)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


def _existing(session: Session, login: str) -> User:
    user = find_user(session, login)
    if user is None:
        raise click.ClickException(f"no user {login!r}")
    return user


def _refusing(action: Callable[[], object]) -> None:
    try:
        action()
    except AccountError as error:
        details = "; ".join(f"{field}: {' '.join(items)}" for field, items in error.errors.items())
        raise click.ClickException(f"refused: {details}") from error
