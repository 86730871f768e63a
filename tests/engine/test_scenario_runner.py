"""The scenario runner fails on every unmet expectation, naming the step, in the local zone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.intake import InvalidMessage
from engine.scenarios import ScenarioFailure, load_scenario, run_scenario
from engine.scenarios.refusals import perform_refused
from engine.scenarios.runner import _Run
from tests.conftest import PROCESSES, copy_example_version

# Monday 10:00 Moscow: `screen` opens in lane curator, due 11:00 (1 working hour, Пример, п. 2).
HEADER = "start: 2026-03-16T10:00:00+03:00\nmessage: {text: Яма}\nsteps:\n"
NOT_PROCESSED = (
    "  - complete: screen\n"
    "    data: {screen_decision: not_processed, not_processed_reason: obscenity}\n"
)
ROUTED = (
    "  - at: +5m\n    complete: screen\n    data: {screen_decision: process}\n"
    "  - at: +10m\n    complete: route\n    data: {departments: [roads]}\n"
)
# A repeat from the author (same thread as the first message's id) ends on its own branch.
REPEATED = (
    ROUTED + "  - at: +1h\n    message: {text: Когда же, thread_id: scenario-1}\n"
    "  - complete: draft_answer\n"
    "    data: {answer_kind: final, answer_text: Здравствуйте! Ответ готов.}\n"
)


@pytest.fixture
def version(tmp_path: Path) -> Path:
    folder = tmp_path / "example" / "v1"
    folder.mkdir(parents=True)
    copy_example_version(folder)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    return folder


def _run(version: Path, steps: str) -> str | None:
    path = version / "x.scenario.yaml"
    path.write_text(HEADER + steps, encoding="utf-8")
    return run_scenario(load_scenario(path)).failure


@pytest.mark.parametrize(
    ("steps", "failure"),
    [
        ("  - expect_data: {priority: high}\n", "case data differs"),
        ("  - expect_task: {element: route}\n", "matching {element: route}, found none"),
        ("  - expect_task: {element: screen, lane: executor}\n", "{element: screen, lane: exec"),
        ("  - expect_task: {lane: executor}\n", "matching {lane: executor}, found none"),
        ("  - expect_task: {department: roads}\n", "matching {department: roads}, found none"),
        ("  - expect_task: {element: screen, count: 0}\n", "expected 0 open task(s)"),
        ("  - expect_task: {lane: curator, count: 2}\n", "found 1"),
        (
            "  - expect_task: {element: screen, due: 2026-03-16T11:01:00+03:00}\n",
            "screen (curator) due 2026-03-16T11:00:00+03:00",
        ),
        ("  - expect_task: {element: screen, due_by: 2026-03-16T10:59:00+03:00}\n", "none"),
        ("  - expect_task: {element: screen, due_after: 2026-03-16T11:00:00+03:00}\n", "none"),
        ("  - expect_no_task: screen\n", "expected no open task screen"),
        ("  - expect_violation: screen\n", "matching {element: screen}, found none"),
        ("  - expect_completed: true\n", "case is running"),
        ("  - expect_status: completed\n", "expected case completed, it is running"),
        ("  - message: {channel: telegram}\n", "invalid message: channel: Выберите одно из"),
        ("  - complete: screen\n    data: {screen_decision: maybe}\n", "screen_decision: Выбер"),
        ("  - complete: screen\n    as: executor\n    data: {}\n", "not executor"),
        ("  - expect_end: not_processed_end\n", "found none; reached: none"),
        (
            NOT_PROCESSED.replace("  - c", "  - at: +1m\n    c")
            + "  - expect_end: {element: not_processed_end, completed: false}\n",
            "step 2 expect_end={element: not_processed_end, completed: false}: "
            "expected completed=false, case is completed",
        ),
        (
            NOT_PROCESSED + "  - expect_end: {element: redirected_end}\n",
            "reached: not_processed_end («no clause»)",
        ),
        (NOT_PROCESSED + "  - expect_end: {count: 0}\n", "expected 0 end event(s) reached"),
        (
            "  - complete: screen\n    again: true\n    data: {}\n",
            "no task screen was completed earlier",
        ),
        ("  - expect_data: {at: route, values: {x: 1}}\n", "route has not completed"),
        (
            "  - expect_data: {at: classify, values: {priority: high}}\n",
            "case data at classify differs: expected {priority: high}, found {priority: normal}",
        ),
    ],
)
def test_unmet_expectations_fail_with_the_step(version: Path, steps: str, failure: str) -> None:
    result = _run(version, steps)
    assert result is not None and result.startswith("step ") and failure in result, result


OVERDUE = (
    "  - at: +2h\n"  # the screening deadline (11:00) has passed: one violation, «Пример, п. 2»
)


@pytest.mark.parametrize(
    ("expectation", "failure"),
    [
        (
            "expect_violation: {clause: 'Пример, п. 3'}",
            "matching {clause: Пример, п. 3}, found none",
        ),
        ("expect_violation: {element: screen, count: 0}", "expected 0 violation(s)"),
        ("expect_violation: {element: screen, count: 2}", "found 1"),
        ("expect_violation: {element: route, clause: 'Пример, п. 2'}", "found none"),
        ("expect_violation: {element: screen, due_by: 2026-03-16T10:59:00+03:00}", "found none"),
        ("expect_violation: {element: screen, due_after: 2026-03-16T11:00:00+03:00}", "none"),
        ("expect_violation: {due: 2026-03-16T10:00:00+03:00}", "found none"),
        ("expect_no_violation: true", "expected 0 violation(s) matching anything, found 1"),
        ("expect_no_violation: screen", "matching {element: screen}, found 1"),
        ("expect_no_violation: {clause: 'Пример, п. 2'}", "found 1"),
    ],
)
def test_unmet_violation_expectations_fail(version: Path, expectation: str, failure: str) -> None:
    result = _run(version, OVERDUE + f"    {expectation}\n")
    recorded = "recorded violations: screen due 2026-03-16T11:00:00+03:00 citing «Пример, п. 2»"
    assert result is not None and failure in result and recorded in result, result
    assert "datetime" not in result and "+00:00" not in result


def test_met_expectations_pass(version: Path) -> None:
    steps = (
        "  - expect_data: {priority: normal}\n"
        "  - expect_task: {element: screen, count: 1, due: 2026-03-16T08:00:00Z}\n"
        "  - expect_task: {lane: curator, due_by: 2026-03-16T11:00:00+03:00}\n"
        "  - expect_task: {lane: curator, due_after: 2026-03-16T10:59:00+03:00}\n"
        "  - expect_task: {lane: executor, count: 0}\n"
        "  - expect_no_violation: true\n"
        + OVERDUE
        + "    expect_violation: {clause: 'Пример, п. 2', count: 1,"
        " due_by: 2026-03-16T11:00:00+03:00}\n"
        "  - expect_no_violation: {element: screen, clause: 'Пример, п. 3'}\n"
        + NOT_PROCESSED
        + "  - expect_end: {element: not_processed_end, completed: true, count: 1}\n"
        "  - expect_data: {at: screen, values: {screen_decision: not_processed}}\n"
    )
    assert _run(version, steps) is None


def test_expect_data_reads_the_whole_case_not_only_the_last_step(version: Path) -> None:
    """`measures_required` was set on the repeat message's branch, before the last step."""
    steps = REPEATED + "  - expect_data: {measures_required: true}\n"
    assert _run(version, steps) is None
    wrong = REPEATED + "  - expect_data: {measures_required: false}\n"
    assert "found {measures_required: true}" in (_run(version, wrong) or "")
    at = REPEATED + "  - expect_data: {at: screen, values: {answer_kind: final}}\n"
    assert "case data at screen differs" in (_run(version, at) or "")


def test_clauses_match_whole_not_as_substrings(version: Path) -> None:
    """«п. 2» is neither «п. 2.1» nor «п. 20»; each of several «; »-joined clauses matches."""
    table = version / "deadlines.yaml"
    rows = table.read_text(encoding="utf-8")
    table.write_text(
        rows.replace("clause: Пример, п. 2\n", "clause: Пример, п. 2.1; Пример, п. 20\n")
    )
    bpmn = version / "example.bpmn"
    xml = bpmn.read_text(encoding="utf-8")
    xml = xml.replace(
        '<bpmn:endEvent id="not_processed_end" name="Не рассматривается">',
        '<bpmn:endEvent id="not_processed_end" name="Не рассматривается">'
        "<bpmn:documentation>Не рассматривается (Пример, п. 6.1).</bpmn:documentation>",
    )
    bpmn.write_text(xml, encoding="utf-8")
    for clause in ("Пример, п. 2.1", "Пример, п. 20"):
        assert _run(version, OVERDUE + f"    expect_violation: {{clause: '{clause}'}}\n") is None
    wrong = _run(version, OVERDUE + "    expect_violation: {clause: 'Пример, п. 2'}\n")
    assert wrong is not None and "citing «Пример, п. 2.1; Пример, п. 20»" in wrong
    assert _run(version, NOT_PROCESSED + "  - expect_end: {clause: 'Пример, п. 6.1'}\n") is None
    missed = _run(version, NOT_PROCESSED + "  - expect_end: {clause: 'Пример, п. 6'}\n")
    assert missed is not None and "reached: not_processed_end («Пример, п. 6.1»)" in missed


@pytest.mark.parametrize(
    ("steps", "failure"),
    [
        (
            "  - complete: screen\n    data: {screen_decision: process}\n    expect_refused: уже\n",
            "expected the engine to refuse the action, it was accepted",
        ),
        (
            "  - complete: screen\n    data: {screen_decision: maybe}\n"
            "    expect_refused: {contains: zzz}\n",
            "refused with «form screen: screen_decision: Выберите одно из значений: Взять в "
            "работу, Не рассматривается, Перенаправить (вне компетенции), Запросить уточнение "
            "у автора.», expected it to contain «zzz»",  # the example's own screen form
        ),
        (
            "  - complete: screen\n    data: {screen_decision: maybe}\n"
            "    expect_refused: {reason: already_completed, contains: Выберите}\n",
            "refused as invalid_form, expected already_completed",
        ),
        (
            "  - complete: screen\n    data: {screen_decision: process}\n"
            "  - complete: screen\n    again: true\n    expect_refused: {contains: by someone}\n",
            "already completed by scenario at 2026-03-16T10:00:00+03:00",  # in Moscow time
        ),
        (
            "  - message: {}\n    again: true\n    expect_refused: {reason: invalid_message, "
            "contains: x}\n",
            "refused as duplicate_message",
        ),
        (
            "  - message: {channel: telegram}\n    expect_refused: {contains: Обязательное}\n",
            "«invalid message: channel: Выберите одно из значений: feed, private, comment.»",
        ),
    ],
)
def test_unmet_refusals_fail(version: Path, steps: str, failure: str) -> None:
    result = _run(version, steps)
    assert result is not None and failure in result, result


def test_met_refusals_pass(version: Path) -> None:
    steps = (
        "  - complete: screen\n    data: {}\n"
        "    expect_refused: {reason: invalid_form,"
        " contains: 'screen_decision: Обязательное поле.'}\n"
        "  - complete: screen\n    data: {screen_decision: process}\n"
        "  - complete: screen\n    again: true\n    data: {screen_decision: process}\n"
        "    expect_refused: {reason: already_completed, contains: was already completed}\n"
        "  - message: {text: Повтор}\n    again: true\n"
        "    expect_refused: {reason: duplicate_message, contains: was already received}\n"
        "  - message: {form: manual, source: ok, url: 'https://ok.ru/1', author: А}\n"
        "    expect_refused: {reason: invalid_message, contains: 'text: Обязательное поле.'}\n"
        "  - message: {form: manual, source: ok, url: 'https://ok.ru/1', author: А, text: Т,"
        " received_at: вчера}\n"
        "    expect_refused: {reason: invalid_message, contains: Укажите дату и время.}\n"
        "  - expect_task: {element: route, count: 1}\n"
    )
    assert _run(version, steps) is None


def test_a_refusal_that_changed_something_fails(version: Path) -> None:
    """The «changes nothing» check sees a change made before the refusal was raised."""
    path = version / "x.scenario.yaml"
    path.write_text(HEADER, encoding="utf-8")
    run = _Run(load_scenario(path), version.parent.parent)
    run.deploy()
    run.send({"text": "Первое"})

    def sends_then_refuses() -> None:
        run.send({"text": "Второе"})
        raise InvalidMessage({"text": ["Обязательное поле."]})

    with pytest.raises(ScenarioFailure, match=r"the refused action changed .*messages"):
        perform_refused(run, {"contains": "Обязательное"}, sends_then_refuses)


def test_manual_intake_builds_the_message_as_the_web_form_does(version: Path) -> None:
    """Local time read in the municipality's zone, external id from the link, found by hand."""
    path = version / "x.scenario.yaml"
    path.write_text(
        "start: 2026-03-16T10:00:00+03:00\n"
        "message: {form: manual, source: ok, url: 'https://ok.ru/1', author: Мария,"
        " text: Нет света, received_at: '2026-03-16T08:50', official_page: true}\n"
        "steps:\n"
        "  - expect_task: {element: screen, due: 2026-03-16T10:00:00+03:00}\n"
        "  - expect_data: {official_page: true, source: ok,"
        " received_at: 2026-03-16T05:50:00Z, priority: high}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    assert run_scenario(scenario).failure is None
    run = _Run(scenario, version.parent.parent)
    run.deploy()
    run.send(scenario.message)
    assert run.last_incoming == {
        "municipality": "example",
        "source": "ok",
        "external_id": "https://ok.ru/1",
        "channel": "feed",
        "official_page": True,
        "author": "Мария",
        "author_id": "Мария",
        "text": "Нет света",
        "url": "https://ok.ru/1",
        "received_at": "2026-03-16T08:50:00+03:00",
        "payload": {"found_by": "manual_monitoring"},
    }
