"""`reglament version list/activate/rollback/diff` on a SQLite file, as an administrator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from engine.cli import main
from engine.db import make_engine, make_session_factory
from engine.models import MigrationRun
from engine.runtime import Runtime
from engine.versioning.runs import request_run
from tests.engine.helpers import send
from tests.engine.versioning.helpers import example_processes


@pytest.fixture
def processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example's v1 and v2 folders and a database of their own."""
    folder = example_processes(tmp_path)
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(folder))
    return folder


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _deploy(processes: Path, label: str, *options: str) -> Result:
    path = processes / "example" / label / "example.bpmn"
    return _run("deploy", "--no-scenarios", "--reason", "тест", *options, str(path))


def _listed(label: str) -> dict[str, object]:
    rows = json.loads(_run("version", "list", "-m", "example", "--json").output)
    [row] = [row for row in rows if row["label"] == label]
    return dict(row)


def test_list_activate_and_roll_back(processes: Path) -> None:
    assert _deploy(processes, "v1").exit_code == 0
    assert _deploy(processes, "v2", "--no-activate").exit_code == 0
    again = _deploy(processes, "v2")
    assert "not active; to make it active: reglament version activate example v2" in again.output
    assert _listed("v1")["active"] and not _listed("v2")["active"]
    table = _run("version", "list")
    assert table.exit_code == 0 and "действующая" in table.output
    done = _run("version", "activate", "example", "v2", "--actor", "ivanova")
    assert done.exit_code == 0, done.output
    assert _listed("v2")["active"] and _listed("v2")["activated_by"] == "ivanova"
    back = _run("version", "rollback", "example")
    assert back.exit_code == 0 and "«v1»" in back.output
    assert _listed("v1")["active"]


def test_activate_on_a_date_and_refusals(processes: Path) -> None:
    _deploy(processes, "v1")
    _deploy(processes, "v2", "--no-activate")
    later = _run("version", "activate", "example", "v2", "--at", "2099-01-01T00:00:00+05:00")
    assert later.exit_code == 0, later.output
    assert _listed("v2")["scheduled_at"] == "2098-12-31T19:00:00+00:00"
    naive = _run("version", "activate", "example", "v2", "--at", "2099-01-01T00:00")
    assert naive.exit_code == 2 and "смещение" in naive.output
    missing = _run("version", "activate", "example", "v7")
    assert missing.exit_code == 1 and "нет версии «v7»" in missing.output
    first = _run("version", "rollback", "example")
    assert first.exit_code == 1 and "откатываться не к чему" in first.output


def test_diff_names_the_legal_changes_with_element_ids(processes: Path) -> None:
    _deploy(processes, "v1")
    _deploy(processes, "v2")
    text = _run("version", "diff", "example", "v1", "v2")
    assert text.exit_code == 0, text.output
    assert "Шаг «Согласовать ответ» добавлен [approve]" in text.output
    assert "Шаг переименован: «Проверить ответ» → «Проверить проект ответа» [review]" in text.output
    assert (
        "Срок «screen» (Пример, п. 2): «1 рабочий час» → «2 рабочих часа» [screen]" in text.output
    )
    changes = json.loads(_run("version", "diff", "example", "v1", "v2", "--json").output)["changes"]
    flows = {(c["change"], c["element_id"]) for c in changes if c["section"] == "flows"}
    assert flows == {("added", "flow_approve_to_publish"), ("changed", "flow_approved")}
    same = _run("version", "diff", "example", "v1", "v1")
    assert "изменений нет" in same.output


def test_migrate_dry_run_then_real_run(processes: Path, tmp_path: Path) -> None:
    _deploy(processes, "v1")
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runtime = Runtime(processes_dir=processes)
    sessions = make_session_factory(engine)
    for number in ("1", "2"):
        send(sessions, runtime, number, author_id=f"id{number}")
    engine.dispose()
    _deploy(processes, "v2")
    args = ("version", "migrate", "example", "--from", "v1", "--to", "v2")
    dry = _run(*args, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["dry_run"] and [case["can"] for case in report["cases"]] == [True, True]
    assert _listed("v1")["running_cases"] == 2
    real = _run(*args, "--case", "1")
    assert real.exit_code == 0 and "дело 1: можно; шаг screen → screen" in real.output
    assert (_listed("v1")["running_cases"], _listed("v2")["running_cases"]) == (1, 1)
    bad = tmp_path / "mapping.yaml"
    bad.write_text("- approve\n", encoding="utf-8")
    refused = _run(*args, "--mapping", str(bad))
    assert refused.exit_code == 2 and "словарь" in refused.output
    bad.write_text("approve: nowhere\n", encoding="utf-8")
    unknown = _run(*args, "--mapping", str(bad))
    assert unknown.exit_code == 2 and "в версии «v1» нет элемента «approve»" in unknown.output
    assert "в версии «v2» нет элемента «nowhere»" in unknown.output


def test_the_worker_performs_a_run_queued_on_the_web(processes: Path, tmp_path: Path) -> None:
    _deploy(processes, "v1")
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runtime = Runtime(processes_dir=processes)
    sessions = make_session_factory(engine)
    send(sessions, runtime, "1")
    _deploy(processes, "v2")
    with sessions.begin() as session:  # what the versions page does on «Перенести дела»
        request_run(session, "example", "v1", "v2", "admin", runtime.clock.now(), dry_run=False)
    done = _run("worker", "--once")
    assert done.exit_code == 0, done.output
    with sessions() as session:
        run = session.scalars(select(MigrationRun)).one()
        assert (run.done, run.failed, run.finished_at is not None) == (1, 0, True)
    engine.dispose()
    assert (_listed("v1")["running_cases"], _listed("v2")["running_cases"]) == (0, 1)


def test_settings_diff_shows_what_the_next_deploy_would_change(processes: Path) -> None:
    none = _run("settings", "diff", "example")
    assert none.exit_code == 1 and "нет действующей версии" in none.output
    _deploy(processes, "v1")
    assert "изменений нет" in _run("settings", "diff", "example").output
    settings = processes / "example" / "municipality.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("title: Пример", "title: Пример-2"), encoding="utf-8")
    changed = _run("settings", "diff", "example")
    assert changed.exit_code == 0, changed.output
    assert "«title» изменено" in changed.output and '"Пример-2"' in changed.output
