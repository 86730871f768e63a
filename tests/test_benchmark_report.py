"""The benchmark report: `--json FILE --merge` replaces only the suites run (report.py)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import Goal, Report


def test_a_merged_report_keeps_the_suites_not_run_and_replaces_those_run(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    first = Report()
    first.begin("engine")
    first.setting("engine", cases=150)
    first.add("engine", "SQLite ms per message", 40.0, "ms")
    first.begin("steps")  # a suite that reports under the engine's name
    first.setting("engine", statements_cases=20)
    first.add("engine", "SQLite SQL statements per message", 48.0, "")
    first.begin("web")
    first.setting("web", messages=100_000)
    first.add("web", "whole page ÷ bare SQL", 2.5, "×", Goal(3))
    first.write(path)
    rerun = Report()
    rerun.begin("steps")
    rerun.setting("engine", statements_cases=5)
    rerun.add("engine", "SQLite SQL statements per message", 39.0, "")
    rerun.write(path, merge=True)
    report = json.loads(path.read_text(encoding="utf-8"))
    figures = {(f["suite"], f["name"]): f["value"] for f in report["figures"]}
    assert figures == {
        ("engine", "SQLite ms per message"): 40.0,  # the engine suite did not run again
        ("web", "whole page ÷ bare SQL"): 2.5,
        ("engine", "SQLite SQL statements per message"): 39.0,
    }
    assert report["settings"] == {
        "engine": {"cases": 150, "statements_cases": 5},
        "web": {"messages": 100_000},
    }
    assert set(report["suites_at"]) == {"engine", "steps", "web"}


def test_without_merge_the_file_holds_only_this_run(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    path.write_text(json.dumps({"figures": [{"suite": "web"}], "settings": {"web": {}}}))
    run = Report()
    run.begin("engine")
    run.setting("engine", cases=1)
    run.write(path)
    assert json.loads(path.read_text(encoding="utf-8"))["settings"] == {"engine": {"cases": 1}}


def test_the_report_says_how_fast_the_machine_ran(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    Report().write(path)
    machine = json.loads(path.read_text(encoding="utf-8"))["machine"]
    assert machine["reference_loop_ms"] > 0
    assert f"reference loop {machine['reference_loop_ms']:.0f} ms" in machine["summary"]
