"""Fuzzed web forms: manual intake and task forms answer 4xx or do the work — never a 500."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import MultiDict

from engine.clock import VirtualClock
from engine.forms import KINDS, FieldSpec, library
from engine.models import AuditEvent, Message, OpenUserTask, ProcessInstance
from engine.runtime import Runtime
from tests.web.conftest import login, make_app, send_message
from tests.web.helpers import complete
from web.db import extension_state

pytestmark = pytest.mark.faults
EXAMPLES = 60
Figure = Callable[[str, Any], None]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What a browser can send: any text (no lone surrogates), and the strings that broke forms.
hostile = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "я" * 70000,
            "x" * 2000,
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "2026-02-30T10:00",
            "P9999999D",
            "PT0S",
            "367 дней",
            "javascript:alert(1)",
            "housing\x00",
            "d" * 200,
        ]
    ),
    st.text(max_size=60),
)
words = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=10, max_size=80)


@pytest.fixture
def app(tmp_path: Path, clock: VirtualClock) -> Iterator[Flask]:
    """The web app of tests/web on its own SQLite file."""
    flask_app = make_app(tmp_path, clock)
    yield flask_app
    extension_state(flask_app)["engine"].dispose()


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    with sessions() as session:
        rows = tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Message, ProcessInstance, AuditEvent, OpenUserTask)
        )
        revisions = session.scalar(select(func.coalesce(func.sum(ProcessInstance.revision), 0)))
    return (*rows, revisions or 0)


INTAKE_FITTING: dict[str, st.SearchStrategy[str]] = {
    "source": st.sampled_from(["vk", "ok", "manual", "telegram"]),
    "url": st.sampled_from(["https://vk.com/wall-1_1", "https://ok.ru/group/1/topic/42", ""]),
    "external_id": st.uuids().map(lambda value: value.hex),
    "channel": st.sampled_from(["feed", "private", "comment"]),
    "author": words,
    "author_id": st.sampled_from(["id100", "", "ok-7"]),
    "text": words,
    "received_at": st.sampled_from(["2026-03-16T09:40", "2025-12-01T08:00", ""]),
    "official_page": st.sampled_from(["1", ""]),
}


@st.composite
def intake_forms(draw: st.DrawFn) -> dict[str, str]:
    """The manual-intake form: each field fitting or hostile."""
    return {
        name: draw(st.one_of(fitting, hostile) if draw(st.integers(0, 3)) == 0 else fitting)
        for name, fitting in INTAKE_FITTING.items()
    }


def test_fuzzed_manual_intake_is_a_field_error_or_a_new_case(
    app: Flask, report_figure: Figure
) -> None:
    sessions = extension_state(app)["sessions"]
    clients = {user: login(app.test_client(), user) for user in ("curator", "perm")}
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(intake_forms(), st.sampled_from(["curator", "curator", "curator", "perm"]))
    def post(form: dict[str, str], user: str) -> None:
        before = _counts(sessions)
        response = clients[user].post("/messages/new", data=form)
        statuses[response.status_code] += 1
        # 400: a NUL anywhere in a request is refused before any view (web/security.py).
        assert response.status_code in (302, 400, 409, 422), response.status_code
        after = _counts(sessions)
        if response.status_code == 302:
            assert "/cases/" in response.location and after[0] == before[0] + 1
        else:
            assert after == before, f"a refused intake wrote something: {form!r}"
            if response.status_code != 400:
                assert 'name="author"' in response.text  # the form again, with what was typed

    post()
    _report(report_figure, statuses)
    assert statuses[302] and statuses[422], statuses


# Steps of the example and who completes them; the step before each is walked by the engine.
STEPS = {"screen": "curator", "route": "curator", "draft_answer": "housing"}
WALK: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "screen": [],
    "route": [("screen", {"screen_decision": "process"})],
    "draft_answer": [
        ("screen", {"screen_decision": "process"}),
        ("route", {"departments": ["housing"]}),
    ],
}
DEPARTMENTS = ["housing", "roads", "transport"]  # processes/example/municipality.yaml
LINK = "https://vk.com/wall-1_1?reply=2"
# What a browser sends for a field of a kind, beyond its choices (the example has no forms.yaml).
FITTING: dict[str, st.SearchStrategy[Any]] = {
    "boolean": st.sampled_from(["1", ""]),
    "url": st.just(LINK),
    "attachments": st.just(LINK),
    "deadline_text": st.sampled_from(["2 рабочих дня", "24 часа", ""]),
    "date": st.sampled_from(["2026-03-20", ""]),
    "department": st.sampled_from(DEPARTMENTS),
    "departments": st.sampled_from(DEPARTMENTS),
}


def _fitting(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.choices:
        element: st.SearchStrategy[Any] = st.sampled_from(list(spec.choice_values))
    else:
        element = FITTING.get(spec.kind, st.one_of(words, st.just("")))
    return st.lists(element, max_size=3) if KINDS[spec.kind].list_valued else element


@st.composite
def task_forms(draw: st.DrawFn) -> tuple[str, MultiDict[str, str]]:
    """A step and its form: each field fitting, hostile, or left out."""
    form_key = draw(st.sampled_from(sorted(STEPS)))
    data: MultiDict[str, str] = MultiDict()
    for spec in library()[form_key].fields:
        mode = draw(st.integers(0, 5))
        if mode == 0:
            continue
        value = draw(hostile if mode == 1 else _fitting(spec))
        for part in value if isinstance(value, list) else [value]:
            data.add(spec.name, part)
    return form_key, data


def _open_task(
    sessions: sessionmaker[Session], runtime: Runtime, form_key: str, numbers: Iterator[int]
) -> str:
    """An open task of the step: an earlier refused one, or a new case walked up to it."""
    with sessions() as session:
        # Accepted routings open drafts of other departments too: only housing's are ours.
        mine = OpenUserTask.department.is_(None) | (OpenUserTask.department == "housing")
        found = session.scalar(
            select(OpenUserTask.task_id).where(OpenUserTask.form_key == form_key, mine)
        )
    if found is not None:
        return found
    case = send_message(sessions, runtime, f"fuzz-{next(numbers)}")
    for step, data in WALK[form_key]:
        complete(sessions, runtime, case, step, **data)
    return _open_task(sessions, runtime, form_key, numbers)


def test_fuzzed_task_forms_are_a_field_error_or_a_completed_step(
    app: Flask, report_figure: Figure
) -> None:
    state = extension_state(app)
    sessions, runtime = state["sessions"], state["runtime"]
    clients = {user: login(app.test_client(), user) for user in set(STEPS.values())}
    numbers = itertools.count()
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(task_forms())
    def post(submission: tuple[str, MultiDict[str, str]]) -> None:
        form_key, data = submission
        task_id = _open_task(sessions, runtime, form_key, numbers)
        before = _counts(sessions)
        response = clients[STEPS[form_key]].post(f"/tasks/{task_id}", data=data)
        statuses[response.status_code] += 1
        assert response.status_code in (302, 400, 422), (response.status_code, form_key, data)
        with sessions() as session:
            still_open = session.get(OpenUserTask, task_id) is not None
        if response.status_code == 302:
            assert not still_open, "a completed step is still open"
        else:
            assert still_open and _counts(sessions) == before, f"a refused form wrote: {data!r}"

    post()
    _report(report_figure, statuses)
    assert statuses[302] and statuses[422], statuses


def _report(report_figure: Figure, statuses: Counter[int]) -> None:
    report_figure("examples", sum(statuses.values()))
    for status, count in sorted(statuses.items()):
        report_figure(f"HTTP {status}", count)
