"""The small condition language of `required_if`: data, never code (no eval of YAML text).

    {field: screen_decision, equals: redirect}
    {field: screen_decision, in: [redirect, not_processed]}
    {field: agency_site, filled: true}
    {all: [...]}, {any: [...]}, {not: {...}}

A list value (multiple choice, departments) `equals` a value it contains and is `in` a list it
shares a value with. web/static/forms.js evaluates the same rules in the browser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.forms.spec import FieldSpec, FormDeclarationError, is_empty

Condition = dict[str, Any]
LEAF_TESTS = ("equals", "in", "filled")
GROUPS = ("all", "any")


def _equals(value: Any, expected: Any) -> bool:
    if isinstance(value, list | tuple):
        return expected in value
    return bool(value == expected)


def _is_in(value: Any, expected: list[Any]) -> bool:
    if isinstance(value, list | tuple):
        return any(item in expected for item in value)
    return value in expected


LEAF_EVALUATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": _equals,
    "in": _is_in,
    "filled": lambda value, wanted: is_empty(value) != bool(wanted),
}


def evaluate(condition: Condition, data: Mapping[str, Any]) -> bool:
    """Whether a checked condition holds for the form's loaded values."""
    if "all" in condition:
        return all(evaluate(part, data) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, data) for part in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], data)
    test = next(key for key in LEAF_TESTS if key in condition)
    return LEAF_EVALUATORS[test](data.get(condition["field"]), condition[test])


def names_in(condition: Condition) -> set[str]:
    """The field names a condition reads."""
    if "all" in condition or "any" in condition:
        parts = condition.get("all") or condition.get("any") or []
        return set().union(*(names_in(part) for part in parts))
    if "not" in condition:
        return names_in(condition["not"])
    return {condition["field"]}


class _Checker:
    """Checks one field's condition against its form's fields, refusing in Russian."""

    def __init__(self, form: str, owner: str, fields: Mapping[str, FieldSpec]) -> None:
        self.form, self.owner, self.fields = form, owner, fields

    def refuse(self, message: str) -> FormDeclarationError:
        return FormDeclarationError(f"required_if: {message}", self.form, self.owner)

    def check(self, condition: Any) -> Condition:
        if not isinstance(condition, dict):
            raise self.refuse("ожидается условие вида {field: …, equals: …}")
        groups = [key for key in (*GROUPS, "not") if key in condition]
        if groups:
            return self._group(condition, groups)
        return self._leaf(condition)

    def _group(self, condition: Condition, groups: list[str]) -> Condition:
        if len(condition) != 1:
            raise self.refuse(f"в условии «{groups[0]}» лишние ключи: {sorted(condition)}")
        key = groups[0]
        if key == "not":
            return {"not": self.check(condition["not"])}
        parts = condition[key]
        if not isinstance(parts, list) or not parts:
            raise self.refuse(f"«{key}» ожидает непустой список условий")
        return {key: [self.check(part) for part in parts]}

    def _leaf(self, condition: Condition) -> Condition:
        tests = [key for key in LEAF_TESTS if key in condition]
        extra = set(condition) - {"field", *LEAF_TESTS}
        if "field" not in condition or len(tests) != 1 or extra:
            raise self.refuse(
                "ожидается {field: имя, equals: значение} (или in: [...], filled: true), "
                f"получено {condition}"
            )
        name, test = str(condition["field"]), tests[0]
        target = self.fields.get(name)
        if target is None:
            raise self.refuse(f"в форме нет поля «{name}»")
        if name == self.owner:
            raise self.refuse("поле не может зависеть от самого себя")
        expected = condition[test]
        if test == "in" and not isinstance(expected, list):
            raise self.refuse("«in» ожидает список значений")
        self._values_exist(target, expected if test == "in" else [expected], test)
        return {"field": name, test: expected}

    def _values_exist(self, target: FieldSpec, values: list[Any], test: str) -> None:
        if test == "filled" or not target.choices:
            return
        unknown = [value for value in values if value not in target.choice_values]
        if unknown:
            raise self.refuse(
                f"у поля «{target.name}» нет значений {unknown}; есть: {list(target.choice_values)}"
            )


def check_condition(
    condition: Any, form: str, owner: str, fields: Mapping[str, FieldSpec]
) -> Condition:
    """The condition, normalized, or FormDeclarationError naming form, field and the fault."""
    return _Checker(form, owner, fields).check(condition)
