"""`default_from`: a task page's starting values read from the case, declared in forms.yaml."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.forms import FormDeclarationError
from engine.forms.declaration import declare
from engine.instances import complete_task
from engine.prefill import prefilled, task_prefill
from engine.runtime import Runtime
from engine.versions import deploy_file, version_forms
from tests.conftest import PROCESSES
from tests.engine.helpers import open_tasks, send


def _form(default_from: object) -> dict[str, object]:
    field = {"name": "departments", "kind": "departments", "label": "Куда"}
    return {
        "forms": [
            {"key": "probe", "title": "Проба", "fields": [{**field, "default_from": default_from}]}
        ]
    }


def test_a_path_into_the_case_data_gives_the_starting_value_and_nothing_when_absent() -> None:
    form = declare(_form("linked_case.departments"))["probe"]
    linked = {"linked_case": {"id": 1, "departments": ["roads", "housing"]}}
    assert prefilled(form, linked) == {"departments": ["roads", "housing"]}
    assert prefilled(form, {"linked_case": None}) == {}
    assert prefilled(form, {"linked_case": {"departments": []}}) == {}


@pytest.mark.parametrize("path", ["linked_case..departments", "Linked", 7, "a.b-c"])
def test_a_malformed_path_is_refused_naming_the_field(path: object) -> None:
    with pytest.raises(FormDeclarationError, match="поле «departments»: default_from"):
        declare(_form(path))


def test_perms_photo_answer_starts_from_the_first_drafts_text(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    # п. 3.4: finding that photos are needed keeps what the executor already wrote.
    with sessions.begin() as session:
        deploy_file(session, runtime, PROCESSES / "perm" / "v1" / "perm.bpmn", "admin")
    message = {"municipality": "perm", "source": "monitoring", "channel": "feed"}
    case = send(sessions, runtime, **message).result.instance.id
    first = "Здравствуйте! Освещение в сквере восстановим, покажем фото."
    steps = [
        ("screen", {"screen_decision": "process", "page": "monitoring"}),
        ("route", {"departments": ["ddh"]}),
        ("draft_feed", {"answer_kind": "final", "needs_photos": True, "answer_text": first}),
    ]
    for element, data in steps:
        [task] = [t for t in open_tasks(sessions, case) if t.element_id == element]
        with sessions.begin() as session:
            complete_task(session, runtime, task.task_id, data, "staff")
    [photos] = open_tasks(sessions, case)
    assert photos.element_id == "draft_photos"
    with sessions() as session:
        forms = version_forms(session, runtime, case)
        values = task_prefill(session, runtime, photos, forms.form(photos.form_key))
    assert values["answer_text"] == first
