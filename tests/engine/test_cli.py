"""The command line: init-db, deploy, worker, scenario run and trace, demo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select

from engine.cli import main
from engine.db import Base, make_engine
from engine.demo import DEMO_MESSAGES
from engine.models import OpenUserTask, ProcessVersion, Violation
from tests.conftest import EXAMPLE_BPMN, EXAMPLE_TABLE, PROCESSES, copy_example_version

SCENARIO = PROCESSES / "example" / "v1" / "main_path.scenario.yaml"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", url)
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(PROCESSES))
    monkeypatch.setenv("REGLAMENT_WORKER_INTERVAL", "0")
    return url


def test_init_db_creates_the_schema_by_migration(env: str) -> None:
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    tables = set(inspect(make_engine(env)).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} == tables


def test_deploy_twice_reports_unchanged_and_refuses_broken_files(env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert "deployed as version 1" in runner.invoke(main, ["deploy", str(EXAMPLE_BPMN)]).output
    assert "unchanged" in runner.invoke(main, ["deploy", str(EXAMPLE_BPMN)]).output
    broken = tmp_path / "example" / "v2" / "broken.bpmn"
    broken.parent.mkdir(parents=True)
    shutil.copy(EXAMPLE_TABLE, broken.parent)
    broken.write_text(
        EXAMPLE_BPMN.read_text(encoding="utf-8").replace('value="review"', 'value="x"')
    )
    result = runner.invoke(main, ["deploy", str(broken)])
    assert result.exit_code == 1 and "(review)" in result.output
    with make_engine(env).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ProcessVersion)) == 1


def test_scenario_run_passes_and_prints_coverage() -> None:
    result = CliRunner().invoke(main, ["scenario", "run", "--coverage", str(SCENARIO.parent)])
    assert result.exit_code == 0, result.output
    count = len(list(SCENARIO.parent.glob("*.scenario.yaml")))  # the example grows with the engine
    assert f"scenarios: {count} passed, 0 failed" in result.output
    [covered] = [line for line in result.output.splitlines() if "Пример, п. 3:" in line]
    assert "main_path.scenario.yaml" in covered


def test_a_failing_scenario_fails_the_run(tmp_path: Path) -> None:
    version = tmp_path / "example" / "v1"
    version.mkdir(parents=True)
    copy_example_version(version)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    wrong = SCENARIO.read_text(encoding="utf-8").replace(
        "2026-03-16T09:30:00+03:00", "2026-03-16T09:31:00+03:00"
    )
    (version / "wrong.scenario.yaml").write_text(wrong, encoding="utf-8")
    result = CliRunner().invoke(main, ["scenario", "run", str(version)])
    assert result.exit_code == 1
    assert (
        "FAIL" in result.output
        and "screen (curator) due 2026-03-16T09:30:00+03:00" in result.output
    )


def test_a_malformed_file_fails_alone_and_the_run_goes_on(tmp_path: Path) -> None:
    version = tmp_path / "example" / "v1"
    version.mkdir(parents=True)
    copy_example_version(version)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    (version / "a_broken.scenario.yaml").write_text("steps: [1, 2", encoding="utf-8")
    (version / "b_unknown.scenario.yaml").write_text(
        "start: 2026-03-16T10:00:00+03:00\nsteps: [{expect_task: {elemnt: screen}}]\n",
        encoding="utf-8",
    )
    shutil.copy(SCENARIO, version / "c_good.scenario.yaml")
    result = CliRunner().invoke(main, ["scenario", "run", str(version)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("FAIL") and "a_broken.scenario.yaml" in lines[0]
    assert "not valid YAML" in lines[1]
    assert lines[2].startswith("FAIL") and "b_unknown" in lines[2]
    assert "step 1: expect_task: unknown keys ['elemnt']" in lines[3]
    assert lines[4].startswith("PASS") and "c_good" in lines[4]
    assert "scenarios: 1 passed, 2 failed" in result.output


def test_scenarios_kept_outside_processes_name_the_processes_dir(tmp_path: Path) -> None:
    """The municipality folder is looked up in --processes-dir, not three folders up."""
    folder = tmp_path / "fixtures" / "flows"
    folder.mkdir(parents=True)
    copy_example_version(folder)
    text = "municipality: example\n" + SCENARIO.read_text(encoding="utf-8")
    (folder / "main.scenario.yaml").write_text(text, encoding="utf-8")
    alone = CliRunner().invoke(main, ["scenario", "run", str(folder)])
    assert alone.exit_code == 1 and "municipality example:" in alone.output
    options = ["--processes-dir", str(PROCESSES)]
    run = CliRunner().invoke(main, ["scenario", "run", *options, str(folder)])
    assert run.exit_code == 0 and "scenarios: 1 passed, 0 failed" in run.output, run.output
    trace = CliRunner().invoke(
        main, ["scenario", "trace", *options, str(folder / "main.scenario.yaml")]
    )
    assert trace.exit_code == 0 and '"event": "instance_completed"' in trace.output


def test_scenario_trace_prints_json_lines() -> None:
    result = CliRunner().invoke(main, ["scenario", "trace", str(SCENARIO)])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines()]
    assert events[0] == {
        "event": "task_ready",
        "at": "2026-03-13T14:30:00+00:00",
        "actor": "scenario",
        "element": "screen",
        "lane": "curator",
        "due": "2026-03-16T06:30:00+00:00",
    }
    assert events[-1]["event"] == "instance_completed"
    assert {"task_completed", "task_ready"} <= {event["event"] for event in events}


def test_demo_seeds_cases_with_overdue_ones_and_runs_the_worker(env: str) -> None:
    result = CliRunner().invoke(main, ["demo", "--ticks", "1"])
    assert result.exit_code == 0, result.output
    assert f"demo messages seeded: {len(DEMO_MESSAGES)}" in result.output
    with make_engine(env).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OpenUserTask)) >= 5
        assert connection.scalar(select(func.count()).select_from(Violation)) >= 2
    again = CliRunner().invoke(main, ["demo", "--ticks", "1"])
    assert "demo messages seeded: 0" in again.output


def test_worker_once_exits(env: str) -> None:
    CliRunner().invoke(main, ["init-db"])
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "1 tick" in result.output
