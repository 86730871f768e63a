"""Diagram code runs restricted: no imports, no files, no dunder access, nothing unbounded."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.limits import RunawayStep, StepLimits, step_budget
from engine.scripting import (
    RestrictedEnvironment,
    ScriptRefused,
    compile_expression,
    compile_script,
)


@pytest.fixture
def environment() -> RestrictedEnvironment:
    return RestrictedEnvironment({"double": lambda value: value * 2})


def test_expressions_and_scripts_run_on_task_data(environment: RestrictedEnvironment) -> None:
    assert environment.evaluate("double(count) + 1", {"count": 20}) == 41
    context = {"decision": "rework", "items": [1, 2, 3]}
    environment.execute("total = sum(items)\nflag = decision == 'rework'", context)
    assert context["total"] == 6 and context["flag"] is True
    assert "double" not in context and "__builtins__" not in context


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('true')",
        "open('/etc/passwd').read()",
        "().__class__.__bases__[0].__subclasses__()",
        "message.__dict__",
        "getattr(message, '__class__')",
    ],
)
def test_dangerous_expressions_are_refused(environment: RestrictedEnvironment, source: str) -> None:
    with pytest.raises((ScriptRefused, NameError, AttributeError, TypeError)):
        environment.evaluate(source, {"message": object()})


@pytest.mark.parametrize(
    "script",
    ["import os", "from subprocess import run", "x = open('f', 'w')", "y = ().__class__"],
)
def test_dangerous_scripts_are_refused(environment: RestrictedEnvironment, script: str) -> None:
    with pytest.raises((ScriptRefused, NameError, ImportError)):
        environment.execute(script, {})


def test_refusal_names_the_reason() -> None:
    with pytest.raises(ScriptRefused, match="__class__"):
        compile_expression("x.__class__")


@pytest.mark.parametrize(
    ("script", "line", "reason"),
    [
        ("while True:\n    pass", 1, "циклы while запрещены"),
        ("x = 1\nwhile x:\n    x = 0", 2, "циклы while запрещены"),
        ("def again(n):\n    return again(n)\nagain(1)", 1, "определения функций"),
        ("again = lambda n: n", 1, "lambda запрещена"),
        ("class Loop:\n    pass", 1, "определения классов"),
        ("try:\n    x = 1\nexcept Exception:\n    x = 2", 1, "конструкция try"),
        ("with x:\n    y = 1", 1, "конструкция with"),
        ("global x\nx = 1", 1, "global запрещён"),
        ("y = [(x := x + 1) for i in range(3)]", 1, "присваивание :="),
        ("x = f'{1:>100000000}'", 1, "ширина 100000000 в формате"),
        ("n = 9\nx = f'{1:>{n}}'", 2, "вычисляемая ширина"),
    ],
)
def test_unbounded_constructs_are_refused_naming_the_line(
    script: str, line: int, reason: str
) -> None:
    with pytest.raises(ScriptRefused, match=rf"строка {line}: .*{reason}"):
        compile_script(script)


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = 'x' * 10**10", "string of 10000000000 characters"),
        ("x = [0] * 10**9", "list of 1000000000 items"),
        ("x = 10 ** 10**8", "integer of 400000000 bits"),
        ("x = pow(10, 10**8)", "integer of 400000000 bits"),
        ("x = 1 << 10**9", "integer of 1000000001 bits"),
        ("x = 10**9 * 10**4000", "bits is wider"),
        ("x = round(10**10, -10**9)", "bits is wider"),
        ("s = 'ab'\nfor i in range(100):\n    s = s + s", "string of 1048576 characters"),
        ("s = 'ab'\nfor i in range(100):\n    s += s", "string of 1048576 characters"),
        ("s = [1]\nfor i in range(100):\n    s += s", "list of 131072 items"),
        ("s = [1]\nfor i in range(100):\n    s = [*s, *s]", "list of 131072 items"),
        ("s = 'a'\nfor i in range(100):\n    s = f'{s}{s}'", "string of 1048576 characters"),
        ("s = [1]\nfor i in range(100):\n    s.extend(s)", "list of 131072 items"),
        ("x = '%1000000000d' % 1", "format width of 1000000000"),
        ("x = '%*d' % (10**9, 1)", "computed width"),
        ("x = 'x'.ljust(10**10)", "string of 10000000000 characters"),
        ("x = b'x'.zfill(10**10)", "string of 10000000000 characters"),
        ("x = 'a\\tb'.expandtabs(10**9)", "string of 1000000003 characters"),
        ("x = ('x' * 1000).replace('x', 'y' * 10000)", "string of 10000000 characters"),
        ("x = ('x' * 100000).join(['a'] * 100000)", "string of 10000000000 characters"),
        ("x = 'abc'.translate({97: 'y' * 1000000})", "string of 3000000 characters"),
        ("x = range(10**6)", "range() of 1000000 items"),
        ("x = range(10**30)", "range() of 10001 items"),
        ("for i in range(10000):\n    for j in range(10000):\n        x = i", "iterated more"),
        ("x = [i for i in range(10000) for j in range(10000)]", "iterated more"),
        ("x = sum(1 for i in range(10000) for j in range(10000))", "iterated more"),
        ("a = []\nfor i in range(40):\n    a = [a, a]", "data of more than 10000000"),
        ("a = []\nfor i in range(60):\n    a = [a]", "nested deeper than 50"),
        ("a = []\nfor i in range(30):\n    a = [a, a]\n    s = str(a)", "characters"),
        ("a = []\nfor i in range(30):\n    a = [a, a]\n    s = f'{a}'", "characters"),
    ],
)
def test_runaway_scripts_are_stopped_before_they_allocate(
    environment: RestrictedEnvironment, script: str, reason: str
) -> None:
    with pytest.raises(RunawayStep, match=re.escape(reason)):
        environment.execute(script, {})


def test_guards_keep_ordinary_scripts_working(environment: RestrictedEnvironment) -> None:
    context: dict[str, Any] = {"departments": ["a", "b"], "answers": {"0": "final"}}
    environment.execute(
        "first, *rest = departments\n"
        "pairs = [(i, d) for i, d in enumerate(departments)]\n"
        "pending = [departments[int(i)] for i, kind in answers.items() if kind != 'final']\n"
        "label = f'{first}: {len(rest):>3}' + ' / %s' % first\n"
        "total = sum(range(10)) + 2 ** 10 + (1 << 4) + pow(2, 3)\n"
        "text = ', '.join(departments).ljust(10, '.').replace('a', 'A')\n"
        "rows = [*departments, *rest] * 2\n"
        "rows += ['c']\n"
        "shown = str(rows) + repr(pairs)",
        context,
    )
    assert context["pairs"] == [(0, "a"), (1, "b")] and context["pending"] == []
    assert context["label"] == "a:   1 / a" and context["total"] == 45 + 1024 + 16 + 8
    assert context["text"] == "A, b......" and context["rows"][-1] == "c"
    assert isinstance(context["shown"], str)


def test_unbound_methods_of_str_and_list_are_refused(environment: RestrictedEnvironment) -> None:
    with pytest.raises(AttributeError, match="on a value"):
        environment.execute("x = str.ljust('x', 10**10)", {})


def test_sum_adds_numbers_only(environment: RestrictedEnvironment) -> None:
    with pytest.raises(TypeError, match="numbers only"):
        environment.execute("x = sum([[1]] * 1000, [])", {})


def test_the_time_budget_stops_a_slow_script(environment: RestrictedEnvironment) -> None:
    slow = "s = 'x' * 1000000\nfor i in range(10000):\n    t = s.replace('x', 'y')"
    with step_budget(StepLimits(time_seconds=0.2)), pytest.raises(RunawayStep, match=r"0\.2 s"):
        environment.execute(slow, {})


def test_the_memory_budget_stops_a_script_that_keeps_what_it_builds(
    environment: RestrictedEnvironment,
) -> None:
    hoarding = "s = 'x' * 1000000\nkept = []\nfor i in range(10000):\n    kept.append(list(s))"
    context: dict[str, Any] = {}
    with step_budget(StepLimits(memory_mb=32)), pytest.raises(RunawayStep, match="memory"):
        environment.execute(hoarding, context)
    assert 4 <= len(context["kept"]) < 100  # 8 MB each: stopped soon after 32 MB
    context.clear()


def test_iterations_are_counted_per_evaluation_within_an_advance(
    environment: RestrictedEnvironment,
) -> None:
    loop = "for i in range(10000):\n    for j in range(9):\n        x = i"
    with step_budget(StepLimits()) as budget:
        for _ in range(3):  # 100,000 items each: the count restarts with every evaluation
            environment.execute(loop, {})
    assert budget.items == 100_000
