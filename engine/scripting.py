"""The restricted script engine for expressions and scripts written in diagrams."""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.task import Task

from engine.limits import evaluation_budget
from engine.script_guards import GUARD_GLOBALS, GUARDED_BUILTINS, check_data
from engine.script_policy import DiagramPolicy
from engine.task_context import evaluating_task
from engine.timers import timer_kind, timer_value_error

ScriptFunctionFactory = Callable[[Mapping[str, Any]], Callable[..., Any]]

# Registry of functions that diagrams may call; each factory gets the version's context
# (calendar, clock) so one diagram cannot reach another municipality's settings.
SCRIPT_FUNCTIONS: dict[str, ScriptFunctionFactory] = {}

_SAFE_EXTRA_BUILTINS = {
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
    "sorted": sorted,
    "enumerate": enumerate,
    "dict": dict,
    "list": list,
    "set": set,
}


class ScriptRefused(Exception):
    """A diagram's script or expression that the restricted engine will not run."""


def script_function(name: str) -> Callable[[ScriptFunctionFactory], ScriptFunctionFactory]:
    """Register a factory of a function callable from diagram expressions."""

    def register(factory: ScriptFunctionFactory) -> ScriptFunctionFactory:
        SCRIPT_FUNCTIONS[name] = factory
        return factory

    return register


def _restricted_globals() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_SAFE_EXTRA_BUILTINS)
    builtins.update(GUARDED_BUILTINS)
    return {
        "__builtins__": builtins,
        "_getitem_": default_guarded_getitem,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        **GUARD_GLOBALS,
    }


_GLOBAL_NAMES = frozenset(_restricted_globals())


def compile_expression(expression: str) -> Any:
    """Compile a diagram expression under the engine's restricted policy, refusing what it bans."""
    result = compile_restricted_eval(expression, "<string>", policy=DiagramPolicy)
    if result.errors or result.code is None:
        raise ScriptRefused(f"выражение {expression!r} отклонено: {_russian(result.errors)}")
    return result.code


def compile_script(script: str) -> Any:
    """Compile a diagram script under the engine's restricted policy, refusing what it forbids."""
    _refuse_imports(script)
    # "<string>" lets SpiffWorkflow find the failing line of a script in its traceback.
    result = compile_restricted_exec(script, "<string>", policy=DiagramPolicy)
    if result.errors or result.code is None:
        raise ScriptRefused(f"скрипт отклонён: {_russian(result.errors)}")
    return result.code


_LINE = re.compile(r"^Line (\d+): ")


def _russian(errors: Sequence[str]) -> str:
    """RestrictedPython's «Line N: …» in Russian (the policy's own rule texts are Russian)."""
    return "; ".join(_LINE.sub(r"строка \1: ", error) for error in errors)


def _refuse_imports(script: str) -> None:
    # RestrictedPython would fail an import only when it runs; a deploy should refuse it.
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return  # compile_restricted reports syntax errors with their line
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ScriptRefused(f"скрипт отклонён: строка {node.lineno}: импорт запрещён")


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment that runs code compiled by RestrictedPython only."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__({**_restricted_globals(), **functions})
        self._compiled: dict[tuple[str, str], Any] = {}

    def _code(self, kind: str, source: str) -> Any:
        key = (kind, source)
        if key not in self._compiled:
            compile_ = compile_expression if kind == "eval" else compile_script
            self._compiled[key] = compile_(source)
        return self._compiled[key]

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        code = self._code("eval", expression)
        my_globals = copy.copy(self.globals)
        my_globals.update(external_context or {})
        my_globals.update(context)
        with evaluation_budget():
            return eval(code, my_globals)  # restricted bytecode only (compiled above)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = self._code("exec", script)
        context.update(copy.copy(self.globals))
        context.update(external_context or {})
        with evaluation_budget():
            try:
                exec(code, context)  # restricted bytecode only (compiled above)
            finally:
                self._remove_globals_and_functions_from_context(context, external_context)
                for name in _GLOBAL_NAMES:
                    context.pop(name, None)
            check_data(context)  # what the script leaves is copied to every later task and saved
        return True


class DiagramScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on the restricted environment; timer values are checked.

    It also tells diagram functions which task they run for (`engine/task_context.py`): a
    timer's `deadline("name")` arms that timer's occurrence of the deadline.
    """

    def evaluate(self, task: Task, expression: str, external_context: Any = None) -> Any:
        with evaluating_task(task):
            value = super().evaluate(task, expression, external_context)
        kind = timer_kind(task, expression)
        problem = timer_value_error(kind, value) if kind else None
        if problem is not None:
            # Raised here, a bad value names its timer; inside SpiffWorkflow it fails later,
            # at every refresh, with no element named.
            raise WorkflowTaskException(problem, task=task)
        return value

    def execute(self, task: Task, script: str, external_context: Any = None) -> Any:
        with evaluating_task(task):
            return super().execute(task, script, external_context)


def diagram_names() -> set[str]:
    """Names diagram code may call without defining them: safe builtins and registered functions."""
    builtins = _restricted_globals()["__builtins__"]
    return {name for name in builtins if not name.startswith("_")} | set(SCRIPT_FUNCTIONS)


def bind_functions(context: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The registered diagram functions bound to one version's context (calendar, clock)."""
    return {name: factory(context) for name, factory in SCRIPT_FUNCTIONS.items()}


def make_script_engine(context: Mapping[str, Any]) -> PythonScriptEngine:
    """A script engine for one process version, with the registered functions bound."""
    return DiagramScriptEngine(environment=RestrictedEnvironment(bind_functions(context)))
