"""The task page draws and checks the case's own version's forms; the history reads them too."""

from __future__ import annotations

import copy
import re

import yaml
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from engine.versions import deploy_xml
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE
from tests.web.conftest import login, send_message
from tests.web.helpers import complete, routed_case, tasks_of


def _checked_review() -> bytes:
    """The example's forms, its review with Perm-like reasons and a checklist before placement."""
    example = yaml.safe_load((EXAMPLE_BPMN.parent / "forms.yaml").read_text(encoding="utf-8"))
    forms = copy.deepcopy(example["forms"])
    review = next(form for form in forms if form["key"] == "review")
    for item in review["fields"]:
        if item["name"] == "rework_reasons":
            item["choices"] = {
                "formal": "Формальный ответ (п. 3.7.1)",
                "jargon": "Необщепринятые термины (п. 3.7.4)",
            }
    review["fields"].append(
        {
            "name": "checked",
            "kind": "checklist",
            "label": "Проверено перед размещением",
            "required_if": {"field": "review_decision", "equals": "approve"},
            "choices": {"greeting": "Есть приветствие", "grammar": "Нет грамматических ошибок"},
            "record": True,
        }
    )
    return yaml.safe_dump({"forms": forms}, allow_unicode=True, sort_keys=False).encode()


CHECKED_REVIEW = _checked_review()


def _deploy_checked_review(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    with sessions.begin() as session:
        deploy_xml(
            session,
            runtime,
            EXAMPLE_BPMN.read_bytes(),
            "example.bpmn",
            "admin",
            municipality="example",
            label="v2",
            forms_yaml=CHECKED_REVIEW,
            deadlines_yaml=EXAMPLE_TABLE.read_bytes(),
        )


def _case_at_review(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    case = routed_case(sessions, runtime, send_message(sessions, runtime))
    answer = {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен."}
    complete(sessions, runtime, case, "draft_answer", **answer)
    return case


def test_the_task_page_draws_the_versions_form_and_refuses_by_its_rules(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    _deploy_checked_review(sessions, web_runtime)
    case = _case_at_review(sessions, web_runtime)
    (review,) = tasks_of(sessions, case, "review")
    client = login(app.test_client(), "curator")
    page = client.get(f"/tasks/{review.task_id}").text
    assert "Формальный ответ (п. 3.7.1)" in page and "Необщепринятые термины (п. 3.7.4)" in page
    assert "Грамматические ошибки" not in page  # a library reason this version does not offer
    assert "Проверено перед размещением" in page and "data-required-if=" in page
    assert "/static/forms.js" in page and "Проверка ответа" in page  # the form's title
    refused = client.post(
        f"/tasks/{review.task_id}", data={"review_decision": "approve", "checked": "grammar"}
    )
    assert refused.status_code == 422
    assert "Не подтверждено: Есть приветствие." in refused.text
    assert re.search(r'value="grammar"\s+checked', refused.text)  # the input is kept
    done = client.post(
        f"/tasks/{review.task_id}",
        data={"review_decision": "approve", "checked": ["greeting", "grammar"]},
    )
    assert done.status_code == 302
    card = client.get(f"/cases/{case}").text.split("История дела")[1]
    assert "Проверено перед размещением: Есть приветствие, Нет грамматических ошибок" in card


def test_a_department_the_municipality_does_not_have_is_refused_beside_the_field(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    complete(sessions, web_runtime, case, "screen", screen_decision="process")
    (route,) = tasks_of(sessions, case, "route")
    client = login(app.test_client(), "curator")
    response = client.post(f"/tasks/{route.task_id}", data={"departments": ["housing", "lighting"]})
    assert response.status_code == 422
    assert 'id="departments-errors"' in response.text
    assert "Нет такого подразделения: lighting." in response.text
    assert tasks_of(sessions, case, "route")[0].task_id == route.task_id


def test_the_history_labels_values_from_the_declaration(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    complete(sessions, web_runtime, case, "screen", screen_decision="process")
    card = login(app.test_client(), "curator").get(f"/cases/{case}").text
    assert "Решение: Взять в работу" in card.split("История дела")[1]
