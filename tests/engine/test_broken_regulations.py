"""Each broken regulation of tests/fixtures/broken/ is refused in Russian, naming its element.

Both ways a lawyer meets the checks: deploying the version (with its self-test) and
`reglament check`, which deploys nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.parsing import parse_process
from engine.checks import CHECKS, ChecksRefused, check_version
from engine.cli import main
from engine.clock import VirtualClock
from engine.models import ProcessVersion
from engine.runtime import Runtime
from engine.selftest import deploy_version
from engine.versions import DeployError, deploy_file
from engine.worktime import parse_deadline
from tests.conftest import PROCESSES

FIXTURES = Path(__file__).parent.parent / "fixtures"
BROKEN = FIXTURES / "broken"
ACCEPTED = ("control", "escalation_ends_step")

# folder → the element named (id and Russian name, None: a row of the table) and the reason.
REFUSED: dict[str, tuple[str | None, str]] = {
    "interrupting_deadline": (
        "таймер срока «4 рабочих часа» (review_deadline)",
        "срок прерывает шаг",
    ),
    "escalation_not_interrupting": (
        "таймер срока «4 рабочих часа» (review_deadline)",
        "свойство escalation=ends_step: допустимо только",
    ),
    "deadline_without_clause": (
        "таймер срока «4 рабочих часа» (review_deadline)",
        "таймер срока не ссылается на пункт регламента",
    ),
    "deadline_text_in_script": (
        "автоматический шаг «Записать решение» (note)",
        "срок записан текстом в диаграмме, мимо таблицы сроков",
    ),
    "deadline_name_unknown": (
        "таймер срока «4 рабочих часа» (review_deadline)",
        "в таблице сроков нет срока «reviw»",
    ),
    "deadline_text_not_in_table": (
        "таймер срока «4 рабочих часа» (review_deadline)",
        "срока «6 рабочих часов» нет в таблице сроков",
    ),
    "deadline_text_unreadable": (
        "таймер срока «4 рабочих часа» (review_deadline)",
        "срок «4 рабочии часа» не читается",
    ),
    "unknown_name_condition": (
        "переход «согласовать» (flow_approve)",
        "читает «review_decison», но такого имени нет",
    ),
    "unknown_name_script": (
        "автоматический шаг «Записать решение» (note)",
        "читает «answer_txt», но такого имени нет",
    ),
    "foreign_choice_value": (
        "переход «на доработку» (flow_rework)",
        "со значением «return», которого нет среди вариантов поля: approve",
    ),
    "table_when_unknown_name": (
        "deadlines.yaml, строка 2: срок «review» (Проверка, п. 3)",
        "«when» читает «review_decison»",
    ),
    "flow_to_missing_target": (
        "переход «согласовать» (flow_approve)",
        "переход ведёт к элементу «approved», которого нет в диаграмме",
    ),
    "duplicate_id": (
        "конечное событие «Ответ согласован» (approved_end)",
        "идентификатор «approved_end» повторяется у 2 элементов",
    ),
    "unknown_form": (
        "задача сотрудника «Проверить ответ» (review)",
        "неизвестная форма «revew»",
    ),
    "task_without_form": (
        "задача сотрудника «Проверить ответ» (review)",
        "задача не называет форму",
    ),
    "unknown_role": ("срок «review» (Проверка, п. 3)", "уведомление неизвестной роли «boss»"),
    "table_term_unreadable": (
        "срок «review» (Проверка, п. 3)",
        "Не удалось прочитать срок «4 рабочии часа»",
    ),
}


def _bpmn(case: str) -> Path:
    return BROKEN / case / f"{case}.bpmn"


@pytest.fixture
def fixtures_runtime(clock: VirtualClock) -> Runtime:
    """The engine runtime on the fixtures folder, where the municipality «broken» lives."""
    return Runtime(clock=clock, processes_dir=FIXTURES)


def _versions(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessVersion)) or 0


def test_every_folder_is_a_case_and_every_case_a_folder() -> None:
    folders = {path.name for path in BROKEN.iterdir() if path.is_dir()}
    assert folders == set(REFUSED) | set(ACCEPTED)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_deploy_refuses_the_broken_regulation_naming_its_element(
    sessions: sessionmaker[Session], fixtures_runtime: Runtime, case: str
) -> None:
    element, reason = REFUSED[case]
    with pytest.raises(DeployError) as refused, sessions.begin() as session:
        deploy_version(session, fixtures_runtime, _bpmn(case), "admin", untested_because=None)
    message = str(refused.value)
    assert reason in message and element in message, message
    if "(" in element and "срок «" not in element:  # an element of the diagram: with its line
        assert message.startswith("строка ") or "\n1. строка " in message, message
    assert _versions(sessions) == 0


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_reglament_check_refuses_the_broken_regulation_naming_its_element(case: str) -> None:
    element, reason = REFUSED[case]
    result = CliRunner().invoke(main, ["check", str(_bpmn(case))])
    assert result.exit_code == 1, result.output
    assert "НЕ ПРИНЯТ" in result.output
    assert reason in result.output and element in result.output, result.output


@pytest.mark.parametrize("case", ACCEPTED)
def test_the_control_and_a_marked_escalation_are_accepted(
    sessions: sessionmaker[Session], fixtures_runtime: Runtime, case: str
) -> None:
    result = CliRunner().invoke(main, ["check", str(_bpmn(case))])
    assert result.exit_code == 0 and "принят, замечаний нет" in result.output, result.output
    with sessions.begin() as session:
        assert deploy_file(session, fixtures_runtime, _bpmn(case), "admin").created


def test_several_problems_are_listed_together_numbered() -> None:
    result = CliRunner().invoke(main, ["check", str(BROKEN)])
    assert result.exit_code == 1
    assert f"не принято: {len(REFUSED)}" in result.output
    assert f"проверено файлов: {len(REFUSED) + len(ACCEPTED)}" in result.output


def test_the_regulations_of_the_repository_pass_reglament_check() -> None:
    result = CliRunner().invoke(main, ["check", str(PROCESSES)])
    assert result.exit_code == 0, result.output
    assert "не принято: 0" in result.output and "НЕ ПРИНЯТ" not in result.output


def test_every_check_is_registered_once_by_stage() -> None:
    assert {
        "duplicate_ids",
        "flow_ends",
        "user_task_forms",
        "unknown_names",
        "table_conditions",
        "choice_values",
        "interrupting_deadlines",
        "deadline_clauses",
        "deadline_texts",
    } <= set(CHECKS)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("flow_to_missing_target", "переход ведёт к элементу «approved», которого нет"),
        ("duplicate_id", "идентификатор «approved_end» повторяется"),
    ],
)
def test_spiffworkflows_own_misleading_errors_are_rewritten(case: str, reason: str) -> None:
    # Past the registered checks (a file parsed on its own), SpiffWorkflow's parser says
    # «perhaps a form has the same ID?» and «not a valid value of the atomic type 'xs:ID'».
    with pytest.raises(DeployError) as refused:
        parse_process(_bpmn(case).read_bytes(), f"{case}.bpmn", parse_deadline)
    message = str(refused.value)
    assert reason in message and "form has the same ID" not in message and "xs:ID" not in message


def test_a_refusal_lists_every_problem_numbered_with_its_line() -> None:
    control = _bpmn("control").read_text(encoding="utf-8")
    broken = control.replace('review_decision == "approve"', 'review_decison == "approve"')
    broken = broken.replace('review_decision == "rework"', 'review_decision == "return"')
    table = (BROKEN / "control" / "deadlines.yaml").read_bytes()
    problems = check_version(broken.encode(), None, table, "broken", FIXTURES)
    assert [(p.check, p.element_id) for p in problems] == [
        ("unknown_names", "flow_approve"),
        ("choice_values", "flow_rework"),
    ]
    text = str(ChecksRefused(problems))
    assert text.startswith("регламент не принят, замечаний: 2\n1. строка 58: переход «согласовать»")
    assert "\n2. строка 61: переход «на доработку» (flow_rework): условие сравнивает" in text
