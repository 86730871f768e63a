"""The benchmark report: `--json FILE --merge` replaces only the suites run (report.py)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import Goal, Report


def test_a_merged_report_keeps_the_suites_not_run_and_replaces_those_run(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    first = Report()
    first.setting("engine", cases=150)
    first.setting("web", messages=100_000)
    first.add("engine", "SQLite ms per message", 40.0, "ms")
    first.add("web", "whole page ÷ bare SQL", 2.5, "×", Goal(3))
    first.write(path)
    rerun = Report()
    rerun.setting("engine", cases=20)
    rerun.add("engine", "SQLite ms per message", 30.0, "ms")
    rerun.write(path, merge=True)
    report = json.loads(path.read_text(encoding="utf-8"))
    figures = {(f["suite"], f["name"]): f["value"] for f in report["figures"]}
    assert figures == {
        ("web", "whole page ÷ bare SQL"): 2.5,
        ("engine", "SQLite ms per message"): 30.0,
    }
    assert report["settings"] == {"web": {"messages": 100_000}, "engine": {"cases": 20}}
    assert set(report["suites_at"]) == {"engine", "web"}


def test_without_merge_the_file_holds_only_this_run(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    path.write_text(json.dumps({"figures": [{"suite": "web"}], "settings": {"web": {}}}))
    run = Report()
    run.setting("engine", cases=1)
    run.write(path)
    assert json.loads(path.read_text(encoding="utf-8"))["settings"] == {"engine": {"cases": 1}}
