"""The registry of deploy checks: one function per check, each yielding Russian problems."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.bpmn.parsing import DeployError

if TYPE_CHECKING:
    from engine.checks.context import CheckContext


@dataclass(frozen=True)
class Problem:
    """One refusal: what is wrong, in Russian, and the element with its line."""

    check: str
    message: str
    element_id: str | None = None
    element: str = ""  # «задача «Проверить ответ» (review)»: type, Russian name and id
    line: int | None = None
    element_name: str | None = None
    file: str | None = None  # another file of the version than the diagram (deadlines.yaml)

    def __str__(self) -> str:
        where = f"строка {self.line}: " if self.line else ""
        if self.file:
            where = f"{self.file}, {where}" if where else f"{self.file}: "
        subject = f"{self.element}: " if self.element else ""
        return f"{where}{subject}{self.message}"


Check = Callable[["CheckContext"], Iterator[Problem]]


@dataclass(frozen=True)
class RegisteredCheck:
    """A check and what it refuses (for docs and `reglament check`)."""

    name: str
    function: Check
    stage: int  # structure (0) before names and values (1) before deadlines (2)


CHECKS: dict[str, RegisteredCheck] = {}


STRUCTURE, NAMES, DEADLINES = 0, 1, 2


def register_check(name: str, stage: int) -> Callable[[Check], Check]:
    """Register a check under a name; checks run by stage, then in order of registration."""

    def decorate(function: Check) -> Check:
        CHECKS[name] = RegisteredCheck(name, function, stage)
        return function

    return decorate


def run_checks(context: CheckContext) -> list[Problem]:
    """Every problem every registered check finds, in registration and document order."""
    ordered = sorted(CHECKS.values(), key=lambda check: check.stage)
    return [problem for check in ordered for problem in check.function(context)]


class ChecksRefused(DeployError):
    """A version refused by the checks: every problem, in Russian, with element and line."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, first.element_id, first.line, first.element_name)
        self.problems = problems
        self.args = (self.text(),)

    def __reduce__(self) -> tuple[type[ChecksRefused], tuple[list[Problem]]]:
        # Rebuilt from its problems (a compared run reports it from its own process).
        return type(self), (self.problems,)

    def text(self) -> str:
        """One problem on one line; several as a numbered list."""
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"регламент не принят, замечаний: {len(self.problems)}"]
        lines += [f"{number}. {problem}" for number, problem in enumerate(self.problems, 1)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def refuse(problems: list[Problem]) -> None:
    """Raise the problems as one deploy refusal, if there are any."""
    if problems:
        raise ChecksRefused(problems)
