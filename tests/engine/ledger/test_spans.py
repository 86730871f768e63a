"""Span deadlines whose events fall in one engine round, or whose duty is known only later."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.models import CaseDeadline, Violation
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import DeadlineState
from engine.versions import deploy_xml
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE, MSK
from tests.engine.helpers import send

TABLE: dict[str, Any] = yaml.safe_load(EXAMPLE_TABLE.read_text(encoding="utf-8"))


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, **rows: dict[str, Any]) -> None:
    table = copy.deepcopy(TABLE)
    table["deadlines"].update(rows)
    with sessions.begin() as session:
        deploy_xml(
            session, runtime, EXAMPLE_BPMN.read_bytes(), "example.bpmn", "admin",
            municipality="example", label="v1",
            deadlines_yaml=yaml.safe_dump(table, allow_unicode=True).encode(),
            forms_yaml=(EXAMPLE_BPMN.parent / "forms.yaml").read_bytes(),
        )  # fmt: skip


def _entries(sessions: sessionmaker[Session], name: str) -> list[CaseDeadline]:
    with sessions() as session:
        query = select(CaseDeadline).where(CaseDeadline.name == name).order_by(CaseDeadline.id)
        return list(session.scalars(query))


def _violations(sessions: sessionmaker[Session]) -> list[str | None]:
    with sessions() as session:
        return [v.deadline_name for v in session.scalars(select(Violation))]


def _drain(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    while tick(sessions, runtime).advanced:
        pass


def test_a_span_started_and_ended_in_one_round_is_met_not_left_armed(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    # The arrival starts it and the script task `classify`, run in the same round, ends it.
    triage = {
        "clause": "Пример, п. 2",
        "text": "1 рабочий час",
        "from": "received",
        "until": "classify",
        "responsible": "holder",
    }
    _deploy(sessions, runtime, triage=triage)
    send(sessions, runtime)
    [entry] = _entries(sessions, "triage")
    assert entry.state is DeadlineState.MET and entry.ended_at == clock.now()
    clock.advance(timedelta(hours=2))  # its due passes: a discharged duty records nothing
    _drain(sessions, runtime)
    assert "triage" not in _violations(sessions)
    [entry] = _entries(sessions, "triage")
    assert entry.state is DeadlineState.MET and entry.due_at == datetime(
        2026, 3, 16, 11, 0, tzinfo=MSK
    )
