"""Faults injected into a real database: a connection dropped at a chosen statement."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from engine.db import make_engine


def impatient_engine(engine: Engine, milliseconds: int = 100) -> Engine:
    """A second engine on the same database that waits for a lock only briefly."""
    impatient = make_engine(engine.url.render_as_string(hide_password=False))

    def shorten(dbapi_connection: Any, _record: Any) -> None:
        if impatient.dialect.name == "sqlite":
            dbapi_connection.execute(f"PRAGMA busy_timeout={milliseconds}")
        else:  # a session setting, committed so the pool's reset does not undo it
            dbapi_connection.execute(f"SET lock_timeout = {milliseconds}")
            dbapi_connection.commit()

    event.listen(impatient, "connect", shorten)
    return impatient


class DroppedConnections:
    """Drops the connection of the next `times` statements matching `pattern`.

    On PostgreSQL the server really terminates that backend (`pg_terminate_backend`) just before
    the statement is sent; SQLite has no server connection to drop, so its driver raises the
    busy error it gives when another process holds the database.
    """

    def __init__(self, engine: Engine, pattern: str, times: int = 1) -> None:
        self.engine = engine
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.remaining = times
        self.dropped = 0
        self._admin = make_engine(engine.url.render_as_string(hide_password=False))
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, connection: Connection, *args: Any) -> None:
        statement = args[1]
        if self.remaining <= 0 or not self.pattern.search(statement):
            return
        self.remaining -= 1
        self.dropped += 1
        if self.engine.dialect.name == "sqlite":
            raise sqlite3.OperationalError("database is locked")
        pid = connection.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with self._admin.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    def close(self) -> None:
        """Stop dropping connections."""
        event.remove(self.engine, "before_cursor_execute", self._before)
        self._admin.dispose()


class RaisingStatements:
    """Raises `error()` instead of the next `times` statements matching `pattern` (a bug)."""

    def __init__(
        self, engine: Engine, pattern: str, error: Callable[[], Exception], times: int = 1
    ) -> None:
        self.engine = engine
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.error = error
        self.remaining = times
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _connection: Connection, *args: Any) -> None:
        if self.remaining > 0 and self.pattern.search(args[1]):
            self.remaining -= 1
            raise self.error()

    def close(self) -> None:
        """Let statements run again."""
        event.remove(self.engine, "before_cursor_execute", self._before)
