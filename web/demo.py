"""`python -m web --demo`: the demo server with every regulation, demo staff and demo messages.

Only the demo seeds accounts with a known password; the production start (`web.wsgi:app` under
gunicorn) never does, and this entry point refuses to run unless demo mode is asked for.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.demo import deploy_all, seed_messages
from engine.demo_accounts import DEMO_PASSWORD, municipalities, seed_users
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.versioning.runs import worker_job as migration_job
from engine.versions import active_version
from engine.worker import run_worker
from web import create_app
from web.config import WebSettings
from web.db import extension_state

log = logging.getLogger("reglament.demo")


def prepare(app: Flask) -> None:
    """Upgrade the schema, deploy the regulations, seed staff and messages (idempotent)."""
    if not app.config.get("DEMO"):
        raise RuntimeError(REFUSAL)
    state = extension_state(app)
    sessions: sessionmaker[Session] = state["sessions"]
    runtime: Runtime = state["runtime"]
    upgrade(state["engine"])
    for line in deploy_all(sessions, runtime):
        log.info(line)
    users = seed_users(sessions, runtime.processes_dir)
    log.info("demo accounts: %d, password %r", len(users), DEMO_PASSWORD)
    for municipality in municipalities(runtime.processes_dir):
        if has_active_version(sessions, municipality):
            seeded = seed_messages(sessions, runtime, municipality)
            log.info("%s: %d demo messages seeded", municipality, seeded)


def has_active_version(sessions: sessionmaker[Session], municipality: str) -> bool:
    """Whether new messages of a municipality can start a case."""
    with sessions() as session:
        try:
            active_version(session, municipality)
        except LookupError:
            return False
    return True


def start_worker(app: Flask, settings: WebSettings, stop: threading.Event) -> threading.Thread:
    """Fire deadlines in a background thread while the server runs."""
    state = extension_state(app)
    thread = threading.Thread(
        target=_run_worker_loudly,
        kwargs={
            "session_factory": state["sessions"],
            "runtime": state["runtime"],
            "interval_seconds": settings.engine.worker_interval_seconds,
            "batch_size": settings.engine.worker_batch_size,
            "stop": stop,
            "jobs": [migration_job],  # migrations queued on the versions page
        },
        name="reglament-worker",
        daemon=True,
    )
    thread.start()
    return thread


def _run_worker_loudly(**options: Any) -> None:
    # run_worker outlives any fault of a case or a wake-up; should it ever end by an error,
    # the log says so instead of the UI running on with no deadlines firing.
    try:
        run_worker(**options)
    except BaseException:
        log.critical("the deadline worker stopped: deadlines no longer fire", exc_info=True)
        raise


REFUSAL = (
    "python -m web is the demo: it seeds demo accounts whose password is known into "
    "REGLAMENT_DATABASE_URL. Run it with --demo or REGLAMENT_DEMO=1 (`make run` does); "
    "in production serve `web.wsgi:app` with gunicorn (README.md, «Production»)."
)


def main(argv: list[str] | None = None) -> None:
    """Prepare the demo database and serve the staff UI with the deadline worker running."""
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__)
    parser.add_argument("--demo", action="store_true", help="seed demo staff and messages")
    arguments = parser.parse_args(argv)
    settings = WebSettings.from_env()
    if not (arguments.demo or settings.demo):
        print(REFUSAL, file=sys.stderr)
        raise SystemExit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change
    app = create_app({"DEMO": True})
    prepare(app)
    stop = threading.Event()
    start_worker(app, settings, stop)
    log.info("open http://%s:%d/ (logins in README.md)", settings.host, settings.port)
    try:
        app.run(host=settings.host, port=settings.port, threaded=True, use_reloader=False)
    finally:
        stop.set()
