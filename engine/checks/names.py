"""Checks of what conditions and scripts read: known names, values a field's choices produce."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator

from engine.bpmn.names import CODE_KINDS, Code, completed_at_keys, reads
from engine.checks.context import CheckContext
from engine.checks.registry import NAMES, Problem, register_check
from engine.forms.spec import FieldSpec


def what(code: Code) -> str:
    """The kind of a piece of code in Russian."""
    return CODE_KINDS.get(code.what, code.what)


def _unknown(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; возможно, имелось в виду «{close[0]}»" if close else ""
    return (
        f"читает «{name}», но такого имени нет ни среди полей форм процесса, ни в данных дела "
        f"(движок, скрипты, сообщения){hint}"
    )


@register_check("unknown_names", NAMES)
def unknown_names(context: CheckContext) -> Iterator[Problem]:
    """A condition or script reading a name nothing provides fails at deploy, not as a 500."""
    if not context.forms_known():
        return  # the fields of an unknown form cannot be judged; the form's problem says why
    known = context.known_names()
    user_tasks = context.provided.user_tasks
    for code in context.code:
        try:
            unknown = sorted(reads(code.source, code.mode) - known)
            tasks = sorted(completed_at_keys(code.source, code.mode) - user_tasks)
        except SyntaxError:
            continue  # the compiler refuses it with its line
        for name in unknown:
            message = f"{what(code)} «{code.source.strip()}» {_unknown(name, known)}"
            yield context.problem("unknown_names", message, code.element_id)
        for task in tasks:
            message = (
                f'{what(code)} читает completed_at["{task}"], но задачи сотрудника «{task}» '
                "в диаграмме нет"
            )
            yield context.problem("unknown_names", message, code.element_id)


@register_check("table_conditions", NAMES)
def table_conditions(context: CheckContext) -> Iterator[Problem]:
    """The deadline table's `when` reads only names the case can have, values choices produce."""
    known = context.known_names()
    fields = _choice_fields(context)
    for rule in context.table.rules.values():
        if not rule.when:
            continue
        try:
            tree = ast.parse(rule.when, mode="eval")
        except SyntaxError as error:
            message = f"«when» не разбирается: {error.msg}"
            yield context.row_problem("table_conditions", message, rule)
            continue
        for name in sorted(reads(rule.when, "eval") - known):
            message = f"«when» {_unknown(name, known)}"
            yield context.row_problem("table_conditions", message, rule)
        for message in _foreign_values(tree, fields):
            yield context.row_problem("table_conditions", f"«when» {message}", rule)


@register_check("choice_values", NAMES)
def choice_values(context: CheckContext) -> Iterator[Problem]:
    """A condition comparing a choice field with a value its choices never produce."""
    fields = _choice_fields(context)
    for code in context.code:
        try:
            tree = ast.parse(code.source, mode=code.mode)
        except SyntaxError:
            continue
        for message in _foreign_values(tree, fields):
            yield context.problem("choice_values", f"{what(code)} {message}", code.element_id)


def _choice_fields(context: CheckContext) -> dict[str, FieldSpec]:
    """Form fields with a fixed list of choices that no script overwrites."""
    provided = context.provided
    return {
        name: spec
        for name, spec in provided.form_fields.items()
        if spec.choices and name not in provided.assigned
    }


def _foreign_values(tree: ast.AST, fields: dict[str, FieldSpec]) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for name, value in _compared(node):
                spec = fields.get(name)
                if spec is not None and value not in spec.choice_values:
                    choices = ", ".join(f"{v} («{label}»)" for v, label in spec.choices)
                    yield (
                        f"сравнивает поле «{name}» («{spec.label}») со значением «{value}», "
                        f"которого нет среди вариантов поля: {choices}"
                    )


def _compared(node: ast.Compare) -> Iterator[tuple[str, str]]:
    """(field name, literal value) pairs of `x == "v"`, `x in ("a", "b")`, `"v" in x`."""
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.Eq | ast.NotEq):
            for a, b in ((left, right), (right, left)):
                if isinstance(a, ast.Name) and _is_text(b):
                    yield a.id, b.value  # type: ignore[attr-defined]
        elif isinstance(op, ast.In | ast.NotIn):
            if isinstance(left, ast.Name) and isinstance(right, ast.Tuple | ast.List | ast.Set):
                yield from ((left.id, item.value) for item in right.elts if _is_text(item))  # type: ignore[attr-defined]
            elif _is_text(left) and isinstance(right, ast.Name):
                yield right.id, left.value  # type: ignore[attr-defined]
        left = right


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
