"""The deploy checks on a version's files in memory, as problems with their element ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.parsing import DeployError
from engine.checks.registry import ChecksRefused
from engine.preparing import prepare_version
from engine.runtime import Runtime
from engine.versions import VersionFiles
from engine.worktime.settings import CalendarConfigError


@dataclass(frozen=True)
class LiveCheck:
    """What deploying these files would say: refusals (with element ids) and warnings."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """Whether deploy would accept the files (the scenarios aside)."""
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """The answer of the live-check endpoint."""
        return {"accepted": self.accepted, "problems": self.problems, "warnings": self.warnings}


def live_check(files: VersionFiles, municipality: str, runtime: Runtime) -> LiveCheck:
    """Every deploy check on the files, storing nothing (engine/preparing.py)."""
    try:
        prepared = prepare_version(files, municipality, runtime)
    except ChecksRefused as refused:
        return LiveCheck([_problem(p.element_id, str(p), p.line) for p in refused.problems])
    except DeployError as error:
        return LiveCheck([_problem(error.element_id, str(error), None)])
    except CalendarConfigError as error:
        return LiveCheck([_problem(None, str(error), None)])
    return LiveCheck([], list(prepared.warnings))


def _problem(element_id: str | None, text: str, line: int | None) -> dict[str, Any]:
    return {"element_id": element_id, "message": text, "line": line}
