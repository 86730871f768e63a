"""Each version's forms: compiled at deploy, stored with it, and the only schema its steps use."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.cli import main
from engine.forms import FormError
from engine.instances import complete_task
from engine.models import ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.scenarios import load_scenario, run_scenario
from engine.versions import (
    DeployError,
    Deployment,
    clear_cache,
    deploy_file,
    deploy_xml,
    parse_file,
)
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE, PROCESSES, copy_example_version
from tests.engine.helpers import only_task, send
from tests.engine.regulations import after_deadline

EXAMPLE = EXAMPLE_BPMN.read_bytes()
# The example's own forms (its «clarify» and «intermediate» choices are values the example's
# conditions compare with): every forms file below is completed with those it does not declare,
# or deploy refuses those branches.
EXAMPLE_FORMS = yaml.safe_load((EXAMPLE_BPMN.parent / "forms.yaml").read_text(encoding="utf-8"))


def _with_screen(forms_yaml: bytes | None) -> bytes:
    own = (yaml.safe_load(forms_yaml or b"forms: []") or {}).get("forms") or []
    keys = {form["key"] for form in own}
    added = [form for form in EXAMPLE_FORMS["forms"] if form["key"] not in keys]
    return yaml.safe_dump({"forms": added + own}, allow_unicode=True, sort_keys=False).encode()


def _narrowed_review() -> bytes:
    """The example's review form with two rework reasons and a checklist on approval."""
    review = copy.deepcopy(next(f for f in EXAMPLE_FORMS["forms"] if f["key"] == "review"))
    for item in review["fields"]:
        if item["name"] == "rework_reasons":
            item["choices"] = {key: item["choices"][key] for key in ("formal", "jargon")}
    review["fields"].append(
        {
            "name": "checked",
            "kind": "checklist",
            "label": "Проверено",
            "required_if": {"field": "review_decision", "equals": "approve"},
            "choices": {"greeting": "Приветствие", "grammar": "Грамматика"},
        }
    )
    return yaml.safe_dump({"forms": [review]}, allow_unicode=True, sort_keys=False).encode()


NARROW_REVIEW = _narrowed_review()


def _deploy(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    forms_yaml: bytes | None,
    xml: bytes = EXAMPLE,
    label: str = "v1",
) -> Deployment:
    with sessions.begin() as session:
        deployment = deploy_xml(
            session,
            runtime,
            xml,
            "example.bpmn",
            "admin",
            municipality="example",
            label=label,
            forms_yaml=_with_screen(forms_yaml),
            deadlines_yaml=EXAMPLE_TABLE.read_bytes(),
        )
        return deployment


def _complete(sessions: sessionmaker[Session], runtime: Runtime, case: int, **data: Any) -> None:
    with sessions.begin() as session:
        complete_task(session, runtime, only_task(sessions, case).task_id, data, "staff")


def _case_at_review(sessions: sessionmaker[Session], runtime: Runtime, external_id: str) -> int:
    case = send(sessions, runtime, external_id).result.instance.id
    _complete(sessions, runtime, case, screen_decision="process")
    _complete(sessions, runtime, case, departments=["housing"])
    _complete(sessions, runtime, case, answer_kind="final", answer_text="Здравствуйте! Вывезли.")
    assert only_task(sessions, case).form_key == "review"
    return case


def _versions(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessVersion)) or 0


def test_deploy_stores_the_normalized_forms_the_diagram_uses(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deployed = _deploy(sessions, runtime, NARROW_REVIEW).version
    stored = deployed.forms or {}
    assert sorted(stored["forms"]) == [  # the head's task became a notice: no `acknowledge`
        "draft_answer",
        "duty_report",  # the example's scheduled monthly analysis (Пример, п. 8)
        "publish",
        "review",
        "route",
        "screen",
    ]
    reasons = next(f for f in stored["forms"]["review"]["fields"] if f["name"] == "rework_reasons")
    assert [value for value, _label in reasons["choices"]] == ["formal", "jargon"]
    decision = next(
        f for f in stored["forms"]["review"]["fields"] if f["name"] == "review_decision"
    )
    assert "intermediate" in [value for value, _label in decision["choices"]]  # the example's


def test_the_forms_file_is_part_of_the_version(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    plain = _deploy(sessions, runtime, None)
    narrowed = _deploy(sessions, runtime, NARROW_REVIEW, label="v2")
    again = _deploy(sessions, runtime, NARROW_REVIEW, label="v3")
    assert plain.created and narrowed.created and not again.created
    assert (
        narrowed.version.sha256
        != plain.version.sha256
        == _deploy(sessions, runtime, None).version.sha256
    )
    assert _versions(sessions) == 2


@pytest.mark.parametrize(
    ("forms_yaml", "reason"),
    [
        (
            b"forms:\n  - {key: probe, title: P, fields: [{name: f, kind: slider, label: X}]}\n",
            "forms.yaml: форма «probe», поле «f»: неизвестный вид поля «slider»",
        ),
        (
            b"forms:\n  - {key: review, extends: revue}\n",
            "форма «review»: extends: нет формы «revue»",
        ),
        (
            b"forms:\n  - {key: screen, extends: screen, fields: [{name: redirect_to, "
            b"required_if: {field: target, equals: x}}]}\n",
            "форма «screen», поле «redirect_to»: required_if: в форме нет поля «target»",
        ),
        (
            b"forms:\n  - {key: review, extends: review, fields: [{name: rework_reasons, "
            b"choices: [formal, rude]}]}\n",
            "форма «review», поле «rework_reasons»: choices: можно только сузить",
        ),
    ],
)
def test_a_bad_forms_file_refuses_the_deploy_naming_form_and_field(
    sessions: sessionmaker[Session], runtime: Runtime, forms_yaml: bytes, reason: str
) -> None:
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, runtime, forms_yaml)
    assert reason in str(refused.value)
    assert _versions(sessions) == 0


def test_a_task_may_name_a_form_of_the_forms_file_but_not_one_declared_nowhere(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    own_form = EXAMPLE.replace(b'value="review"', b'value="check_answer"')
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, runtime, None, own_form)
    assert "неизвестная форма «check_answer»" in str(refused.value)
    assert refused.value.element_id == "review"
    review = next(f for f in EXAMPLE_FORMS["forms"] if f["key"] == "review")
    declared = yaml.safe_dump({"forms": [{**review, "key": "check_answer", "title": "Check"}]})
    assert _deploy(sessions, runtime, declared.encode(), own_form).created


def test_deploy_warns_of_fields_nobody_reads_and_forms_no_task_names(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    unused = NARROW_REVIEW + b"- {key: spare, extends: forward}\n"
    warnings = _deploy(sessions, runtime, unused).warnings
    assert any("форма «route», поле «importance» («Важность»)" in w for w in warnings)
    assert any("«spare» объявлена в forms.yaml" in w for w in warnings)
    assert not any("screen_decision" in w or "departments" in w for w in warnings)  # read
    assert not any("«topic»" in w for w in warnings)  # a record field of the library
    assert any("«checked»" in w for w in warnings)  # read by nobody and not marked record
    assert not any("answer_text" in w or "published_url" in w for w in warnings)  # consumers


def test_perm_route_form_drops_what_the_perm_diagram_never_reads(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    with sessions.begin() as session:
        perm = deploy_file(session, runtime, PROCESSES / "perm" / "v1" / "perm.bpmn", "admin")
        route = next(f for f in (perm.version.forms or {})["forms"]["route"]["fields"])
    assert perm.warnings == [] and route["name"] == "departments"
    names = [f["name"] for f in (perm.version.forms or {})["forms"]["route"]["fields"]]
    assert not {"importance", "shortened_deadline", "repeat_publication"} & set(names)


def test_completion_validates_through_the_cases_own_version(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _deploy(sessions, runtime, None)
    old_case = _case_at_review(sessions, runtime, "old")
    _deploy(sessions, runtime, NARROW_REVIEW, label="v2")  # new messages start on v2
    new_case = _case_at_review(sessions, runtime, "new")
    rework = {"review_decision": "rework", "rework_reasons": ["grammar"]}
    _complete(sessions, runtime, old_case, **rework)  # the library's reasons still hold for v1
    with pytest.raises(FormError) as refused:
        _complete(sessions, runtime, new_case, **rework)
    assert "grammar" in refused.value.errors["rework_reasons"][0]
    with pytest.raises(FormError) as refused:
        _complete(sessions, runtime, new_case, review_decision="approve", checked=["grammar"])
    assert refused.value.errors == {"checked": ["Не подтверждено: Приветствие."]}
    _complete(
        sessions, runtime, new_case, review_decision="approve", checked=["greeting", "grammar"]
    )
    assert only_task(sessions, new_case).form_key == "publish"


def test_routing_to_an_unknown_department_is_a_field_error_and_changes_nothing(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _deploy(sessions, runtime, None)
    case = send(sessions, runtime, "1").result.instance.id
    _complete(sessions, runtime, case, screen_decision="process")
    route = only_task(sessions, case)
    with sessions() as session:
        before = session.get_one(ProcessInstance, case).state
    with pytest.raises(FormError) as refused:
        _complete(sessions, runtime, case, departments=["housing", "lighting"])
    assert refused.value.errors == {"departments": ["Нет такого подразделения: lighting."]}
    with sessions() as session:
        assert session.get_one(ProcessInstance, case).state == before
    assert only_task(sessions, case).task_id == route.task_id


def test_a_version_deployed_before_forms_were_stored_uses_the_library(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    version = _deploy(sessions, runtime, NARROW_REVIEW).version
    with sessions.begin() as session:
        session.execute(
            update(ProcessVersion).where(ProcessVersion.id == version.id).values(forms=None)
        )
    clear_cache()
    case = _case_at_review(sessions, runtime, "1")
    _complete(sessions, runtime, case, review_decision="rework", rework_reasons=["grammar"])


def test_chaykovsky_redirect_requires_the_agency_phone_email_and_site(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    with sessions.begin() as session:
        deploy_file(session, runtime, PROCESSES / "chaykovsky" / "v1" / "chaykovsky.bpmn", "admin")
    case = send(
        sessions, runtime, "1", municipality="chaykovsky", source="popular_groups"
    ).result.instance.id
    _complete(sessions, runtime, case, screen_decision="process")
    _complete(sessions, runtime, case, departments=["social_policy"])
    answer = {"answer_kind": "final", "answer_text": "Здравствуйте! Обратитесь в министерство."}
    with pytest.raises(FormError) as refused:
        _complete(sessions, runtime, case, redirects=True, agency_name="Минздрав", **answer)
    assert refused.value.errors == {
        "agency_phone": ["Укажите телефон ведомства (п. 5.3)."],
        "agency_email": ["Укажите электронную почту ведомства (п. 5.3)."],
        "agency_site": ["Укажите сайт ведомства (п. 5.3)."],
    }
    _complete(sessions, runtime, case, **answer)  # no redirect: no contacts asked
    assert only_task(sessions, case).element_id == "publish"


def test_a_scenario_validates_through_the_forms_file_beside_its_bpmn(tmp_path: Path) -> None:
    processes = tmp_path / "processes"
    folder = processes / "example" / "v1"
    folder.mkdir(parents=True)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", processes / "example")
    copy_example_version(folder)
    (folder / "forms.yaml").write_bytes(_with_screen(NARROW_REVIEW))
    scenario = folder / "rework.scenario.yaml"
    steps = """
start: 2026-03-16T10:00:00+03:00
steps:
  - complete: screen
    data: {screen_decision: process}
  - complete: route
    data: {departments: [housing]}
  - complete: draft_answer
    data: {answer_kind: final, answer_text: "Здравствуйте! Мусор вывезен."}
  - complete: review
    data: {review_decision: rework, rework_reasons: [%s]}
  - expect_task: {element: draft_answer}
"""
    scenario.write_text(steps % "formal", encoding="utf-8")
    assert run_scenario(load_scenario(scenario), processes).passed
    scenario.write_text(steps % "grammar", encoding="utf-8")
    failed = run_scenario(load_scenario(scenario), processes)
    assert (
        failed.failure
        and "step 4" in failed.failure
        and "Недопустимые значения: grammar" in failed.failure
    )


def test_reglament_deploy_prints_the_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(PROCESSES))
    result = CliRunner().invoke(main, ["deploy", str(EXAMPLE_BPMN)])
    assert result.exit_code == 0, result.output
    assert "warning: форма «route», поле «importance» («Важность»)" in result.output


def test_a_file_is_checked_against_the_forms_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "example" / "v2"
    folder.mkdir(parents=True)
    bpmn = folder / "example.bpmn"
    bpmn.write_bytes(EXAMPLE.replace(b'value="review"', b'value="check_answer"'))
    with pytest.raises(DeployError, match="неизвестная форма «check_answer»"):
        parse_file(bpmn)
    (folder / "forms.yaml").write_bytes(b"forms:\n  - {key: check_answer, extends: review}\n")
    assert parse_file(bpmn).catalog["elements"]["review"]["properties"]["form"] == "check_answer"


URGENT_FORWARD = """
forms:
  - key: forward
    title: Передача проекта
    fields:
      - name: urgency
        kind: choice
        label: Срочность
        required: true
        choices: {low: Обычная, high: Срочная}
""".encode()


def _deploy_after_deadline(
    sessions: sessionmaker[Session], runtime: Runtime, late_timer: str, forms_yaml: bytes | None
) -> Deployment:
    with sessions.begin() as session:
        return deploy_xml(
            session,
            runtime,
            after_deadline(late_timer=late_timer).encode(),
            "test.bpmn",
            "admin",
            municipality="example",
            label="test",
            forms_yaml=forms_yaml,
        )


def test_a_field_of_the_versions_forms_yaml_is_a_name_its_diagram_may_read(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    timer = 'deadline(received_at, "1 час" if urgency == "high" else "2 часа")'
    with pytest.raises(DeployError, match="читает «urgency», но такого имени нет"):
        _deploy_after_deadline(sessions, runtime, timer, None)  # the library's forward: no field
    assert _versions(sessions) == 0
    assert _deploy_after_deadline(sessions, runtime, timer, URGENT_FORWARD).created


def test_a_timer_is_sampled_on_each_choice_of_the_versions_own_form(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    timer = 'deadline(received_at, {"low": "2 часа"}[urgency])'  # «high» has no deadline
    with pytest.raises(DeployError, match="не выполняется на пробном деле: KeyError") as refused:
        _deploy_after_deadline(sessions, runtime, timer, URGENT_FORWARD)
    assert refused.value.element_id == "late_deadline" and _versions(sessions) == 0
