"""Timers and conditions evaluated at deploy on sample cases, with the municipality's calendar.

A sample case holds what the engine would hold: moments for `received_at` and the like, a form
field's default or first choice, and for a name a script sets, each value its assignments can
give when they are moments (`deadline(...)`, `now()`, `last_completed_at`, ...) or constants. An
expression reading a name whose value cannot be known this way is not evaluated.
"""

from __future__ import annotations

import ast
import copy
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from engine.bpmn.names import MOMENT_NAMES, Code, Provided, reads
from engine.forms import KINDS, FieldSpec
from engine.limits import StepLimits, step_budget
from engine.scripting import RestrictedEnvironment, diagram_names
from engine.task_context import evaluating_task
from engine.timers import timer_value_error

MAX_SAMPLES = 32  # combinations of possible values evaluated per expression
MOMENT = object()  # stands for "a moment" until the sample's moment is known
_MOMENT_CALLS = frozenset({"deadline", "now"})


@dataclass(frozen=True)
class SampleContext:
    """What evaluating a version's code at deploy needs: its functions and a moment."""

    functions: Mapping[str, Callable[..., Any]]
    moment: datetime


@dataclass(frozen=True)
class SampleFailure:
    """A piece of code that fails on a sample case, and why."""

    code: Code
    reason: str


def sample_failures(
    codes: list[Code], provided: Provided, context: SampleContext
) -> list[SampleFailure]:
    """Timers and conditions that fail, or timers whose value is not a moment, on sample cases.

    Every value the engine or a form gives is reachable in a real case, so each must work; of
    the values a script may have set, which one reaches the expression depends on the path,
    so one of them working is enough.
    """
    environment = RestrictedEnvironment(context.functions)
    values = possible_values(codes, provided, context.moment.isoformat())
    callables = diagram_names()
    failures = []
    for code in codes:
        if code.what not in ("timer", "condition"):
            continue
        names = reads(code.source, "eval") - callables
        if any(name not in values for name in names):
            continue  # only a sample made of values the engine really holds is conclusive
        with step_budget(StepLimits()):  # all samples of one expression share one budget
            failure = _first_failure(environment, code, values, names, provided.scripted)
        if failure is not None:
            failures.append(failure)
    return failures


def _first_failure(
    environment: RestrictedEnvironment,
    code: Code,
    values: dict[str, list[Any]],
    names: set[str],
    scripted: set[str],
) -> SampleFailure | None:
    """The failure on the first engine and form values for which no scripted value works."""
    scripted = names & scripted
    fixed = {name: candidates[0] for name, candidates in values.items()}
    for real in _combinations(values, names - scripted):
        problems = [
            _problem(environment, code, {**fixed, **real, **path})
            for path in _combinations(values, scripted)
        ]
        if all(problems):
            chosen = {name: real[name] for name in names - scripted if len(values[name]) > 1}
            where = f" (with {chosen})" if chosen else ""
            return SampleFailure(code, f"{problems[0]}{where}")
    return None


def _problem(environment: RestrictedEnvironment, code: Code, case: dict[str, Any]) -> str | None:
    data = copy.deepcopy(case)
    try:
        # `deadline("name")` reads the moment its row counts from out of the task's data.
        with evaluating_task(SimpleNamespace(data=data, task_spec=None)):
            value = environment.evaluate(code.source, data)
    except Exception as error:  # whatever it raises would stop every such case at this step
        return f"{type(error).__name__}: {error}"
    return timer_value_error(code.kind, value) if code.kind else None


def _combinations(values: dict[str, list[Any]], names: set[str]) -> Iterator[dict[str, Any]]:
    """Each combination of the values the names may hold."""
    varying = sorted(names)
    combinations = itertools.product(*(values[name] for name in varying))
    for combination in itertools.islice(combinations, MAX_SAMPLES):
        yield dict(zip(varying, combination, strict=True))


def possible_values(codes: list[Code], provided: Provided, at: str) -> dict[str, list[Any]]:
    """For each name whose values can be known, the values a case may hold in it."""
    values: dict[str, list[Any]] = {name: [at] for name in MOMENT_NAMES}
    values.update(
        message=[_sample_message()],
        channel=[""],
        source=[""],
        official_page=[False, True],
        last_completed_by=[""],
        completed_at=[dict.fromkeys(provided.user_tasks, at)],
    )
    for name, spec in provided.form_fields.items():
        sample = _form_sample(spec)
        if sample is not None:
            values[name] = sample
    scripted = _script_values(codes, provided)
    for name in provided.scripted | provided.data:
        found = scripted.get(name)
        if found is None or name in provided.data:
            values.pop(name, None)  # set by a script in a way no sample can know
        else:
            values[name] = _union(values.get(name, []), found)
    return {name: [at if v is MOMENT else v for v in found] for name, found in values.items()}


def _sample_message() -> defaultdict[str, Any]:
    # Any other key may come in the message's payload: a missing one reads as "".
    fields = {"id": 1, "source": "", "channel": "", "official_page": False, "author": ""}
    return defaultdict(str, {**fields, "text": "", "url": None})


def _form_sample(spec: FieldSpec) -> list[Any] | None:
    """What a completed form holds in a field: its default, its empty value, or each choice."""
    kind = KINDS[spec.kind]
    if spec.default is not None:
        return [spec.default]
    if not spec.required:
        return [copy.copy(kind.empty)]  # what the compiled form loads when it is left out
    if spec.choices and not kind.list_valued:
        return list(spec.choice_values)
    return None


def _script_values(codes: list[Code], provided: Provided) -> dict[str, list[Any] | None]:
    """What each scripted name can hold, or None when a script sets it to something unknown."""
    assignments: dict[str, list[ast.expr | None]] = {}
    for code in codes:
        if code.mode != "exec":
            continue
        try:
            tree = ast.parse(code.source)
        except SyntaxError:
            continue
        for name, value in _stores(tree):
            assignments.setdefault(name, []).append(value)
    resolver = _Resolver(assignments, provided.messages)
    return {name: resolver.name(name) for name in assignments}


def _stores(tree: ast.AST) -> Iterator[tuple[str, ast.expr | None]]:
    """(name, value) of each plain `name = value`; (name, None) of every other store."""
    plain: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    plain.add(id(target))
                    yield target.id, node.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and id(node) not in plain:
            yield node.id, None


class _Resolver:
    """Resolves a scripted name to its possible values, following names to other names."""

    def __init__(self, assignments: dict[str, list[ast.expr | None]], messages: set[str]) -> None:
        self.assignments = assignments
        self.messages = messages
        self.resolving: set[str] = set()

    def name(self, name: str) -> list[Any] | None:
        if name in MOMENT_NAMES:
            return [MOMENT]
        if name in self.resolving or name not in self.assignments:
            return None
        self.resolving.add(name)
        try:
            found: list[Any] = []
            for value in self.assignments[name]:
                resolved = None if value is None else self.expression(value)
                if resolved is None:
                    return None
                found = _union(found, resolved)
            return found
        finally:
            self.resolving.discard(name)

    def expression(self, node: ast.expr) -> list[Any] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bool | int | None):
            return [node.value]
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.IfExp):
            body, orelse = self.expression(node.body), self.expression(node.orelse)
            return None if body is None or orelse is None else _union(body, orelse)
        if self._is_moment(node):
            return [MOMENT]
        return None

    def _is_moment(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in _MOMENT_CALLS
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id == "completed_at":
                return True
            key = node.slice.value if isinstance(node.slice, ast.Constant) else None
            return node.value.id in self.messages and key == "received_at"
        return False


def _union(first: list[Any], second: list[Any]) -> list[Any]:
    def same(a: Any, b: Any) -> bool:
        return type(a) is type(b) and (a is b or a == b)

    return first + [value for value in second if not any(same(value, v) for v in first)]
