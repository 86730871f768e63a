"""Alembic environment: migrates the engine's tables on the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from engine.db import Base, make_engine
from engine.models import AuditEvent  # noqa: F401  (registers every table on Base.metadata)

config = context.config


def run_migrations() -> None:
    """Run migrations on a connection given by the caller, or on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with make_engine(config.get_main_option("sqlalchemy.url") or "").begin() as connection:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
