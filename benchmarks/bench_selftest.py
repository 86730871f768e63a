"""A version's self-test at deploy, against the plain deploy, and the regulation report."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import PROCESSES, make_runtime, new_sessions, show, sqlite_database, timed
from engine.report import folder_inputs
from engine.report.model import build_report
from engine.selftest import deploy_version
from engine.versions import deploy_file


def main() -> None:
    """Per version: a plain deploy, a deploy that runs its scenarios, building its report."""
    for bpmn in sorted(PROCESSES.glob("*/v*/*.bpmn")):
        name = f"{bpmn.parent.parent.name}/{bpmn.parent.name}"
        with tempfile.TemporaryDirectory() as folder:
            plain, tested, scenarios = _deploys(bpmn, Path(folder))
        report = timed(lambda b=bpmn: build_report(folder_inputs(b, PROCESSES, None)))
        show(f"{name}: plain deploy", f"{plain:.2f} s")
        show(
            f"{name}: deploy with {scenarios} scenarios",
            f"{tested:.2f} s",
            f"{tested / plain:.0f}×",
        )
        show(f"{name}: report model (no scenarios)", f"{report * 1000:.0f} ms")


def _deploys(bpmn: Path, folder: Path) -> tuple[float, float, int]:
    _clock, runtime = make_runtime()
    with sqlite_database(folder) as engine:
        sessions = new_sessions(engine)
        with sessions.begin() as session:
            plain = timed(lambda: deploy_file(session, runtime, bpmn, "bench"))
            session.rollback()
        outcome = []
        with sessions.begin() as session:
            tested = timed(
                lambda: outcome.append(
                    deploy_version(session, runtime, bpmn, "bench", untested_because=None)
                )
            )
    count = len(outcome[0].tested.results) if outcome[0].tested else 0
    return plain, tested, count
