"""A deadline computed into a year whose transfers are not decreed says so (engine, CLI, trace)."""

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from engine.models import AuditEvent
from engine.scenarios import load_scenario, run_scenario
from engine.scenarios.trace import trace_events
from engine.statuses import AuditKind
from engine.worktime import Calendar, parse_deadline
from engine.worktime.cli import deadline_command
from tests.conftest import PROCESSES, copy_example_version

YEKT = ZoneInfo("Asia/Yekaterinburg")
CAL = Calendar.from_settings({"timezone": "Asia/Yekaterinburg"})
FRIDAY = datetime(2027, 12, 31, 17, 30, tzinfo=YEKT)  # holidays 0.109 knows 2027, not 2028


def test_is_confirmed_by_the_local_date() -> None:
    assert CAL.is_confirmed(date(2027, 12, 31))
    assert not CAL.is_confirmed(date(2028, 1, 1))
    # 20:00 UTC on 31 December is already 1 January 2028 in Perm.
    assert not CAL.is_confirmed(datetime(2027, 12, 31, 20, tzinfo=UTC))
    assert CAL.is_confirmed(datetime(2027, 12, 31, 18, tzinfo=UTC))


def test_a_due_that_crosses_into_a_forecast_year_is_flagged() -> None:
    spec = parse_deadline("5 рабочих дней")
    due = CAL.due(FRIDAY, spec)
    assert due.year == 2028
    assert CAL.unconfirmed_years(FRIDAY, due) == (2028,)
    assert CAL.unconfirmed_years(due, FRIDAY) == (2028,)  # a term counted backwards
    warning = CAL.forecast_warning(FRIDAY, due, spec)
    assert warning is not None and "2028" in warning and "не утверждены" in warning
    within = datetime(2026, 3, 16, 10, tzinfo=YEKT)
    assert CAL.forecast_warning(within, CAL.due(within, spec), spec) is None


def test_calendar_hours_do_not_depend_on_the_calendar_so_are_not_flagged() -> None:
    spec = parse_deadline("48 часов")
    due = CAL.due(FRIDAY, spec)
    assert CAL.unconfirmed_years(FRIDAY, due) == (2028,)
    assert CAL.forecast_warning(FRIDAY, due, spec) is None
    assert CAL.forecast_warning(FRIDAY, due) is not None  # without the spec, stay careful


def test_reglament_deadline_warns_on_stderr_and_keeps_one_line_on_stdout() -> None:
    args = ["-m", "perm", "--from", "2027-12-31T17:30", "--processes-dir", str(PROCESSES)]
    result = CliRunner().invoke(deadline_command, [*args, "5 рабочих дней"])
    assert result.exit_code == 0
    assert result.stdout == "2028-01-14T18:00:00+05:00\n"
    assert result.stderr.startswith("внимание: Срок рассчитан по прогнозу")
    calm = CliRunner().invoke(deadline_command, [*args, "24 часа"])
    assert (calm.stdout, calm.stderr) == ("2028-01-01T17:30:00+05:00\n", "")


def test_trace_lines_name_the_forecast_years_of_their_due() -> None:
    def event(due: str) -> AuditEvent:
        at = datetime(2027, 12, 31, 14, 30, tzinfo=UTC)
        return AuditEvent(kind=AuditKind.TASK_READY, at=at, actor="engine", data={"due": due})

    flagged, calm = trace_events(
        [event("2028-01-10T18:00:00+05:00"), event("2027-12-31T18:00:00+05:00")]
    )
    assert flagged["due_unconfirmed"] == [2028]
    assert "due_unconfirmed" not in calm


def test_a_scenario_into_2028_marks_its_trace(tmp_path: Path) -> None:
    folder = tmp_path / "example" / "v1"
    folder.mkdir(parents=True)
    copy_example_version(folder)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    path = folder / "late.scenario.yaml"
    path.write_text(
        "start: 2027-12-31T17:30:00+03:00\nmessage: {text: Яма}\nsteps:\n"
        "  - expect_task: {element: screen, due: 2028-01-10T10:00:00+03:00}\n",
        encoding="utf-8",
    )
    result = run_scenario(load_scenario(path), tmp_path)
    assert result.failure is None
    ready = [line for line in result.trace if line["event"] == "task_ready"]
    assert ready and ready[0]["due_unconfirmed"] == [2028]
