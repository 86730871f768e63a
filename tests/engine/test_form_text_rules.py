"""Step forms (the declared library) refuse hostile text per field, before any case changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.forms import FormError
from engine.instances import complete_task
from engine.runtime import Runtime
from engine.versions import deploy_file
from tests.conftest import PROCESSES
from tests.engine.helpers import library_forms, only_task, send

# A municipality that lists no departments: any id fitting the column is accepted.
validate_form = library_forms().validate


@pytest.mark.parametrize(
    ("form", "data", "field", "says"),
    [
        ("screen", {"screen_decision": "process", "comment": "a\x00b"}, "comment", "NUL"),
        ("screen", {"screen_decision": "pro\x00cess"}, "screen_decision", "NUL"),
        ("route", {"departments": ["roads", "x\x00"]}, "departments", "NUL"),
        ("route", {"departments": ["d" * 129]}, "departments", "От 1 до 128 символов."),
        (
            "draft_answer",
            {"answer_kind": "final", "answer_text": "\ud800" * 20},
            "answer_text",
            "Юникод",
        ),
        (
            "draft_answer",
            {"answer_kind": "final", "answer_text": "я" * 65537},
            "answer_text",
            "Не длиннее 65536 символов.",
        ),
        (
            "route",
            {"departments": ["roads"], "shortened_deadline": "P9999999D"},
            "shortened_deadline",
            "Срок не длиннее 366 дней.",
        ),
        (
            "route",
            {"departments": ["roads"], "shortened_deadline": "367 дней"},
            "shortened_deadline",
            "Срок не длиннее 366 дней.",
        ),
    ],
)
def test_hostile_text_is_refused_per_field(
    form: str, data: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(FormError) as refused:
        validate_form(form, data)
    assert any(says in message for message in _flat(refused.value.errors[field])), refused.value


def _flat(found: Any) -> list[str]:
    if isinstance(found, str):
        return [found]
    items = found.values() if isinstance(found, dict) else found
    return [message for item in items for message in _flat(item)]


def test_a_shortened_deadline_within_a_year_is_read() -> None:
    data = validate_form("route", {"departments": ["roads"], "shortened_deadline": "P366D"})
    assert data["shortened_deadline"] == "P366D"


def test_a_far_shortened_deadline_no_longer_breaks_palanas_case(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    # Palana's timers read the shortened deadline: 27 000 years overflowed the date (a 500).
    with sessions.begin() as session:
        deploy_file(session, runtime, PROCESSES / "palana" / "v1" / "palana.bpmn", "admin")
    case = send(sessions, runtime, municipality="palana").result.instance.id
    with sessions.begin() as session:
        screen = only_task(sessions, case).task_id
        complete_task(session, runtime, screen, {"screen_decision": "process"}, "curator")
    route = only_task(sessions, case)
    with sessions.begin() as session, pytest.raises(FormError):
        complete_task(
            session,
            runtime,
            route.task_id,
            {"departments": ["housing"], "shortened_deadline": "P9999999D"},
            "curator",
        )
    assert only_task(sessions, case).task_id == route.task_id
