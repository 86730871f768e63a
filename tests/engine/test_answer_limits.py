"""Answers: a date bounded by the case (`not_after`), declared in forms.yaml, checked at submit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.forms import FormDeclarationError, FormError, forms_from_json, forms_to_json
from engine.forms.declaration import declare
from engine.forms.library import declared_in
from engine.forms.limits import check_limits
from engine.instances import complete_task
from engine.runtime import Runtime
from engine.versions import DeployError, deploy_xml
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE
from tests.engine.helpers import deploy_example, only_task, send

ZONE = ZoneInfo("Europe/Moscow")
LIMIT = datetime(2026, 3, 19, 18, 0, tzinfo=ZONE)
FORMS = EXAMPLE_BPMN.parent / "forms.yaml"


def _form(not_after: object, kind: str = "date") -> dict[str, object]:
    field = {"name": "promised", "kind": kind, "label": "Дата", "not_after": not_after}
    return {"forms": [{"key": "probe", "title": "Проба", "fields": [field]}]}


def _check(value: str, kind: str = "date", limit: datetime | None = LIMIT) -> None:
    form = declare(_form({"deadline": "final_answer"}, kind))["probe"]
    check_limits(form, {"promised": value}, lambda _source: limit, ZONE)


def test_a_date_after_the_limit_is_a_russian_field_error_and_its_own_day_is_kept() -> None:
    _check("2026-03-19")
    with pytest.raises(FormError) as refused:
        _check("2026-03-20")
    assert refused.value.errors == {
        "promised": ["Дата позже срока: укажите дату не позже 19.03.2026."]
    }


def test_a_moment_is_held_against_the_limit_itself_and_no_limit_means_no_check() -> None:
    _check("2026-03-19T18:00:00+03:00", kind="datetime")
    with pytest.raises(FormError, match=r"19\.03\.2026 18:00"):
        _check("2026-03-19T18:01:00+03:00", kind="datetime")
    _check("2030-01-01", limit=None)  # the case has no such moment: nothing to hold it against


def test_the_first_limit_whose_condition_holds_for_the_forms_values_applies() -> None:
    # Perm 3.6: with photos chosen in the same form the promised date may reach the photo term.
    choice = [
        {"deadline": "final_answer_photos", "if": {"field": "needs_photos", "equals": True}},
        {"deadline": "final_answer"},
    ]
    raw = _form(choice)
    raw["forms"][0]["fields"].append({"name": "needs_photos", "kind": "boolean", "label": "Фото"})
    form = declare(raw)["probe"]
    limits = {"final_answer": LIMIT, "final_answer_photos": LIMIT + timedelta(days=8)}

    def limit_of(source: Mapping[str, Any]) -> datetime | None:
        return limits[source["deadline"]]

    check_limits(form, {"promised": "2026-03-25", "needs_photos": True}, limit_of, ZONE)
    with pytest.raises(FormError, match=r"19\.03\.2026"):
        check_limits(form, {"promised": "2026-03-25", "needs_photos": False}, limit_of, ZONE)
    broken = _form([{"deadline": "final_answer", "if": {"field": "nowhere", "equals": True}}])
    with pytest.raises(FormDeclarationError, match="nowhere"):
        declare(broken)


@pytest.mark.parametrize(
    ("not_after", "kind", "message"),
    [
        ({"deadline": "final_answer"}, "text", "нет ключей ['not_after']"),
        ("final_answer", "date", "not_after: ожидается {deadline: имя срока} или {data: имя}"),
        ({"deadline": "a", "data": "b"}, "date", "not_after: ожидается"),
        ({"calendar": "x"}, "date", "not_after: ожидается"),
    ],
)
def test_a_malformed_limit_is_refused_naming_the_form_and_field(
    not_after: object, kind: str, message: str
) -> None:
    with pytest.raises(FormDeclarationError, match="форма «probe», поле «promised»") as refused:
        declare(_form(not_after, kind))
    assert message in str(refused.value)


def test_the_limit_survives_storage_with_the_version() -> None:
    forms = declared_in(FORMS.read_bytes())
    stored = forms_from_json(forms_to_json(forms))
    field = stored["draft_answer"].field("final_answer_promised_at")
    assert field is not None and field.not_after == ({"deadline": "final_answer"},)


def test_deploy_refuses_a_limit_naming_no_row_of_the_deadline_table(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    forms_yaml = FORMS.read_text("utf-8").replace(
        "not_after: {deadline: final_answer}", "not_after: {deadline: final_anwser}"
    )
    with sessions.begin() as session, pytest.raises(DeployError) as refused:
        deploy_xml(
            session,
            runtime,
            EXAMPLE_BPMN.read_bytes(),
            "example.bpmn",
            "admin",
            municipality="example",
            label="v1",
            forms_yaml=forms_yaml.encode(),
            deadlines_yaml=EXAMPLE_TABLE.read_bytes(),
        )
    assert "поле «final_answer_promised_at»" in str(refused.value)
    assert "нет срока «final_anwser»" in str(refused.value)


def test_the_promised_date_is_checked_against_the_extended_term_when_the_executor_submits(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime, "1").result.instance.id
    for data in ({"screen_decision": "process"}, {"departments": ["housing"]}):
        with sessions.begin() as session:
            complete_task(session, runtime, only_task(sessions, case).task_id, data, "c")
    task = only_task(sessions, case)
    # 3 working days counted from now (the intermediate answer is not published yet).
    limit = runtime.clock.now() + timedelta(days=3)
    too_late = (limit + timedelta(days=7)).date().isoformat()
    answer = {"answer_kind": "intermediate", "answer_text": "Здравствуйте! Уточняем сроки."}
    with sessions.begin() as session, pytest.raises(FormError) as refused:
        complete_task(
            session, runtime, task.task_id, {**answer, "final_answer_promised_at": too_late}, "e"
        )
    assert "позже продлённого срока" in refused.value.errors["final_answer_promised_at"][0]
    assert only_task(sessions, case).task_id == task.task_id  # nothing changed
    in_time = runtime.clock.now().date().isoformat()
    with sessions.begin() as session:
        complete_task(
            session, runtime, task.task_id, {**answer, "final_answer_promised_at": in_time}, "e"
        )
    assert only_task(sessions, case).element_id == "review"
