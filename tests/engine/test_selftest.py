"""A version tests itself before it runs: its folder's scenarios, on the files being deployed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.cli import main
from engine.db import make_engine
from engine.models import AuditEvent, ProcessVersion
from engine.runtime import Runtime
from engine.scenarios import load_scenario, run_scenario
from engine.selftest import SelfTestFailed, deploy_version, version_evidence
from engine.statuses import AuditKind
from engine.versions import VersionFiles, active_version, deploy_file
from tests.conftest import EXAMPLE_BPMN, PROCESSES, copy_example_version

MAIN_PATH = EXAMPLE_BPMN.parent / "main_path.scenario.yaml"


def _version(tmp_path: Path, label: str = "v2", *, wrong: bool = False) -> Path:
    """An example version `example/<label>` with the main path (`wrong`: and a wrong due)."""
    folder = tmp_path / "example" / label
    folder.mkdir(parents=True)
    copy_example_version(folder)
    shutil.copy(MAIN_PATH, folder)
    if wrong:
        text = MAIN_PATH.read_text(encoding="utf-8")
        assert "2026-03-16T09:30:00+03:00" in text
        bad = text.replace("2026-03-16T09:30:00+03:00", "2026-03-16T09:31:00+03:00", 1)
        (folder / "wrong_due.scenario.yaml").write_text(bad, encoding="utf-8")
    return folder / "example.bpmn"


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_version_whose_scenario_fails_is_refused_naming_the_scenario_and_step(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    with sessions.begin() as session:
        deploy_file(session, runtime, EXAMPLE_BPMN, "admin")  # v1 is active
    bpmn = _version(tmp_path, wrong=True)
    changed = bpmn.read_text(encoding="utf-8").replace("Определить приоритет", "Приоритет")
    bpmn.write_text(changed, encoding="utf-8")  # a new version, not the deployed one
    with sessions.begin() as session:
        with pytest.raises(SelfTestFailed) as refused:
            deploy_version(session, runtime, bpmn, "admin", untested_because=None)
        assert _count(session, ProcessVersion) == 1  # the savepoint took the new version back
    message = str(refused.value)
    assert "1 of 2 scenario(s) failed" in message
    assert "wrong_due.scenario.yaml" in message and "step 1 expect_task" in message
    assert "screen (curator) due 2026-03-16T09:30:00+03:00" in message
    with sessions() as session:
        assert active_version(session, "example").label == "v1"
        assert _count(session, ProcessVersion) == 1


def test_a_passing_version_is_activated_with_its_evidence(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    bpmn = _version(tmp_path)
    with sessions.begin() as session:
        outcome = deploy_version(session, runtime, bpmn, "chief", untested_because=None)
    assert outcome.deployment.created and outcome.tested is not None
    with sessions() as session:
        version = active_version(session, "example")
        evidence = version_evidence(session, version.id)
    assert version.label == "v2" and evidence is not None and evidence.tested
    assert evidence.actor == "chief"
    [scenario] = evidence.scenarios
    assert scenario["file"] == "main_path.scenario.yaml" and "Пример, п. 3" in scenario["clauses"]
    assert evidence.scenarios_for("Пример, п. 3") == [scenario["name"]]


def test_the_same_files_again_run_nothing_and_change_nothing(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    bpmn = _version(tmp_path)
    with sessions.begin() as session:
        deploy_version(session, runtime, bpmn, "admin", untested_because=None)
    (bpmn.parent / "wrong.scenario.yaml").write_text("steps: [1", encoding="utf-8")
    with sessions.begin() as session:  # unchanged files: no self-test, so no refusal
        again = deploy_version(session, runtime, bpmn, "admin", untested_because=None)
    assert not again.deployment.created and again.tested is None


def test_a_version_without_scenarios_is_refused(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    bpmn = _version(tmp_path)
    (bpmn.parent / MAIN_PATH.name).unlink()
    with sessions.begin() as session, pytest.raises(SelfTestFailed, match="no scenarios"):
        deploy_version(session, runtime, bpmn, "admin", untested_because=None)


def test_a_malformed_scenario_fails_the_version(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    bpmn = _version(tmp_path)
    (bpmn.parent / "broken.scenario.yaml").write_text("steps: [1", encoding="utf-8")
    with sessions.begin() as session, pytest.raises(SelfTestFailed, match="not valid YAML"):
        deploy_version(session, runtime, bpmn, "admin", untested_because=None)


def test_scenarios_run_on_the_files_given_not_on_the_folder() -> None:
    """The self-test runs the bytes about to be deployed, not what lies (or is deployed) beside."""
    scenario = load_scenario(MAIN_PATH, PROCESSES)
    assert run_scenario(scenario).passed
    files = VersionFiles.read(EXAMPLE_BPMN)
    table = (files.deadlines_yaml or b"").decode("utf-8")
    slower = table.replace("text: 1 рабочий час", "text: 2 рабочих часа", 1)
    assert slower != table
    changed = VersionFiles(files.xml, files.filename, files.forms_yaml, slower.encode("utf-8"))
    result = run_scenario(scenario, files=changed)
    assert not result.passed and "due 2026-03-16T10:30:00+03:00" in (result.failure or "")


def test_code_deploys_run_no_scenarios(
    sessions: sessionmaker[Session], runtime: Runtime, tmp_path: Path
) -> None:
    """deploy_file (tests, the web, the runner itself) never runs the folder's scenarios."""
    bpmn = _version(tmp_path, wrong=True)
    with sessions.begin() as session:
        assert deploy_file(session, runtime, bpmn, "admin").created
        assert _count(session, AuditEvent) == 2  # deployed, activated: no self-test record


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", url)
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(PROCESSES))
    return url


def test_the_deploy_command_refuses_a_failing_version(env: str, tmp_path: Path) -> None:
    bpmn = _version(tmp_path, wrong=True)
    result = CliRunner().invoke(main, ["deploy", str(bpmn)])
    assert result.exit_code == 1
    assert "refused: self-test: 1 of 2 scenario(s) failed" in result.output
    assert "wrong_due.scenario.yaml" in result.output and "step 1" in result.output
    with make_engine(env).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ProcessVersion)) == 0


def test_no_scenarios_activates_and_audits_who_and_why(env: str, tmp_path: Path) -> None:
    bpmn = _version(tmp_path, wrong=True)
    reason = "Срочно: закон изменил срок, сценарии правим следом"
    result = CliRunner().invoke(
        main, ["deploy", "--no-scenarios", "--reason", reason, "--actor", "chief", str(bpmn)]
    )
    assert result.exit_code == 0, result.output
    assert "WITHOUT running its scenarios (audited)" in result.output
    with sessionmaker(make_engine(env))() as session:
        assert active_version(session, "example").label == "v2"
        [untested] = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.VERSION_UNTESTED)
        ).all()
    assert untested.actor == "chief" and untested.data == {"reason": reason}


def test_no_scenarios_needs_a_reason(env: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["deploy", "--no-scenarios", str(_version(tmp_path))])
    assert result.exit_code == 2 and "--no-scenarios needs --reason" in result.output
    reason_alone = CliRunner().invoke(main, ["deploy", "--reason", "x", str(EXAMPLE_BPMN)])
    assert reason_alone.exit_code == 2
