"""The database for requests: one session per request, and the request owns its transaction."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock, SystemClock
from engine.db import make_engine, make_session_factory
from engine.runtime import Runtime
from engine.settings import AttachmentSettings, IntakeLimits, Settings

EXTENSION = "reglament"


class Database:
    """Flask extension: engine, session factory and runtime, wired with `init_app`."""

    def init_app(self, app: Flask) -> None:
        """Create the engine for `DATABASE_URL` and commit or roll back each request."""
        engine = make_engine(app.config["DATABASE_URL"])
        clock: Clock = app.config.get("CLOCK") or SystemClock()
        app.extensions[EXTENSION] = {
            "engine": engine,
            "sessions": make_session_factory(engine),
            "runtime": Runtime(
                clock=clock,
                processes_dir=app.config["PROCESSES_DIR"],
                intake=_intake(app),
                attachments=_attachments(app),
            ),
        }
        app.after_request(_finish)
        app.teardown_appcontext(_close)


def _intake(app: Flask) -> IntakeLimits:
    # The limits are engine settings (REGLAMENT_INTAKE_*); a test app may give its own.
    given: IntakeLimits | None = app.config.get("INTAKE_LIMITS")
    return given or Settings.from_env().intake


def _attachments(app: Flask) -> AttachmentSettings:
    # Where uploads live (REGLAMENT_ATTACHMENTS_*); a test app gives a folder of its own.
    given: AttachmentSettings | None = app.config.get("ATTACHMENTS")
    return given or Settings.from_env().attachments


def sessions() -> sessionmaker[Session]:
    """The session factory (for work outside a request, such as the demo seeding)."""
    factory: sessionmaker[Session] = current_app.extensions[EXTENSION]["sessions"]
    return factory


def runtime() -> Runtime:
    """The engine runtime: the clock and the processes folder."""
    found: Runtime = current_app.extensions[EXTENSION]["runtime"]
    return found


def session() -> Session:
    """This request's session; its transaction ends with the request."""
    if "db_session" not in g:
        g.db_session = sessions()()
    found: Session = g.db_session
    return found


def keep_changes() -> None:
    """Commit this request's work although it answers with an error (a failed sign-in counts)."""
    g.keep_changes = True


def _finish(response: Response) -> Response:
    # A successful response commits the request's work once; an error response (a refused
    # form, a stale task, no access) keeps nothing, so a refused action changes nothing.
    found: Session | None = g.pop("db_session", None)
    keep = g.pop("keep_changes", False)
    if found is not None:
        try:
            if response.status_code < 400 or keep:
                found.commit()
            else:
                found.rollback()
        finally:
            found.close()
    return response


def _close(_error: BaseException | None) -> None:
    found: Session | None = g.pop("db_session", None)
    if found is not None:
        found.rollback()
        found.close()


def extension_state(app: Flask) -> dict[str, Any]:
    """The extension's objects of an app (for tests and the demo)."""
    state: dict[str, Any] = app.extensions[EXTENSION]
    return state


database = Database()
