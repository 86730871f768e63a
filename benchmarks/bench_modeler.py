"""The regulation editor's server side: a live check, a save's merge, the worked examples."""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import PROCESSES, make_runtime, ms, show, timed
from engine.drafts.checking import live_check
from engine.drafts.merge import merge_xml
from engine.drafts.meta import deadline_rows
from engine.versions import VersionFiles

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5


def main() -> None:
    """Per regulation: the live check the page asks for each pause in editing, and a save."""
    for bpmn in sorted(PROCESSES.glob("*/v*/*.bpmn")):
        _regulation(bpmn)


def _regulation(bpmn: Path) -> None:
    _clock, runtime = make_runtime()
    municipality = bpmn.parent.parent.name
    files = VersionFiles.read(bpmn, PROCESSES)
    exported = _exported(bpmn)
    table = files.deadlines_yaml.decode("utf-8") if files.deadlines_yaml else None
    check = _median(lambda: live_check(files, municipality, runtime))
    merge = _median(lambda: merge_xml(files.xml, exported))
    rows = _median(lambda: deadline_rows(municipality, files.xml, table, PROCESSES))
    show(f"{municipality}: live check (every deploy check)", ms(check))
    show(f"{municipality}: save merge ({len(files.xml) // 1024} KB)", ms(merge))
    show(f"{municipality}: deadline rows with examples", ms(rows))


def _median(func: Callable[[], Any]) -> float:
    return statistics.median(timed(func) for _ in range(ROUNDS))


def _exported(bpmn: Path) -> bytes:
    """The file as bpmn-js saves it (bpmn-moddle with the modeler's descriptor)."""
    command = ["node", str(ROOT / "tools" / "moddle-edit.mjs"), str(bpmn)]
    return subprocess.run(command, check=True, capture_output=True, cwd=ROOT).stdout
