"""Moving the example case forward outside requests, and finding its tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.instances import complete_task
from engine.models import OpenUserTask
from engine.runtime import Runtime


def tasks_of(sessions: sessionmaker[Session], case: int, form_key: str) -> list[OpenUserTask]:
    """Open tasks of a case with one form key, by department."""
    with sessions() as session:
        query = select(OpenUserTask).where(
            OpenUserTask.instance_id == case, OpenUserTask.form_key == form_key
        )
        return sorted(session.scalars(query), key=lambda task: task.department or "")


def complete(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, form_key: str, **data: Any
) -> None:
    """Complete every open task of a form key with the same data."""
    for task in tasks_of(sessions, case, form_key):
        with sessions.begin() as session:
            complete_task(session, runtime, task.task_id, data, "curator")


def routed_case(sessions: sessionmaker[Session], runtime: Runtime, case: int) -> int:
    """Screen and route a case to housing and roads; returns it."""
    complete(sessions, runtime, case, "screen", screen_decision="process")
    complete(sessions, runtime, case, "route", departments=["housing", "roads"])
    return case
