"""Diagram code runs restricted: no imports, no files, no dunder access."""

from __future__ import annotations

import pytest

from engine.scripting import RestrictedEnvironment, ScriptRefused, compile_expression


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
