"""Field kinds: the only Python a form needs. Each compiles a declared field to marshmallow.

A kind names the declaration keys it accepts, its error messages (Russian defaults a field may
override under `errors`), its empty value, and builds the marshmallow field with its validators.
New kinds register with `@register_kind`; compilation never branches on a kind's name.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields

from engine.forms.spec import FieldSpec, FormDeclarationError, is_empty

REQUIRED = "Обязательное поле."
LIST_INVALID = "Неверный список значений."
PLACEHOLDERS = frozenset({"min", "max", "choices", "missing", "unknown", "error", "limit"})
COMMON_OPTIONS = frozenset(
    {"name", "kind", "label", "help", "required", "required_if", "errors", "record", "default_from"}
)


@dataclass(frozen=True)
class FormContext:
    """What a municipality adds to its forms: its departments and its time zone."""

    departments: tuple[tuple[str, str], ...] = ()
    timezone: str = "UTC"

    @property
    def department_ids(self) -> tuple[str, ...]:
        return tuple(item_id for item_id, _name in self.departments)


class Say:
    """A field's error messages: its own `errors` over the kind's defaults, filled in."""

    def __init__(self, kind: Kind, spec: FieldSpec) -> None:
        self.messages = {**kind.messages, **spec.errors}
        self.spec = spec

    def __call__(self, key: str, **values: Any) -> str:
        filled = dict.fromkeys(PLACEHOLDERS, "")
        filled.update(min=_number(self.spec.min), max=_number(self.spec.max))
        filled["choices"] = ", ".join(label for _value, label in self.spec.choices)
        filled.update(values)
        return self.messages[key].format_map(filled)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


class Kind:
    """A field kind; subclasses set the class attributes and build the marshmallow field."""

    name: ClassVar[str] = ""
    options: ClassVar[frozenset[str]] = frozenset()  # declaration keys beyond COMMON_OPTIONS
    messages: ClassVar[dict[str, str]] = {"required": REQUIRED, "invalid": "Неверное значение."}
    empty: ClassVar[Any] = None
    takes_choices: ClassVar[bool] = False
    list_valued: ClassVar[bool] = False

    def check(self, spec: FieldSpec, form: str) -> None:
        """Declaration-time checks beyond the common ones (choices, bounds, default)."""
        if self.takes_choices and not spec.choices:
            raise FormDeclarationError(f"вид «{self.name}» требует choices", form, spec.name)
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            raise FormDeclarationError("min больше max", form, spec.name)
        low, high = spec.min_length, spec.max_length
        if low is not None and high is not None and low > high:
            raise FormDeclarationError("min_length больше max_length", form, spec.name)

    def build(self, spec: FieldSpec, context: FormContext) -> fields.Field[Any]:
        """The marshmallow field, optional at field level (requirements are checked per form)."""
        say = Say(self, spec)
        return self.field(spec, context, say, _base_options(self, spec, say))

    def field(
        self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]
    ) -> fields.Field[Any]:
        raise NotImplementedError

    def missing(self, spec: FieldSpec, value: Any, context: FormContext) -> str | None:
        """The message when a required field is not filled (None: it is)."""
        return Say(self, spec)("required") if is_empty(value) else None

    def choices(self, spec: FieldSpec, context: FormContext) -> tuple[tuple[str, str], ...]:
        """The choices staff pick from (departments come from the municipality)."""
        return spec.choices

    def later_than(self, value: Any, limit: datetime, zone: ZoneInfo) -> str | None:
        """The limit as staff read it when `value` lies after it (kinds with `not_after`)."""
        raise NotImplementedError(f"вид «{self.name}» не сравнивается со сроком")


def _base_options(kind: Kind, spec: FieldSpec, say: Say) -> dict[str, Any]:
    default = spec.default if spec.default is not None else kind.empty
    if isinstance(default, list):
        frozen = list(default)
        default = lambda: list(frozen)  # noqa: E731  (a fresh list per load)
    return {
        "required": False,
        "load_default": default,
        "allow_none": True,
        "error_messages": {
            "null": say("required"),
            "invalid": LIST_INVALID if kind.list_valued else say("invalid"),
        },
    }


KINDS: dict[str, Kind] = {}


def register_kind(cls: type[Kind]) -> type[Kind]:
    """Register a kind under its `name` (a decorator)."""
    KINDS[cls.name] = cls()
    return cls


def kind_of(spec: FieldSpec, form: str) -> Kind:
    """The kind a field declares, or FormDeclarationError listing the known ones."""
    found = KINDS.get(spec.kind)
    if found is None:
        raise FormDeclarationError(
            f"неизвестный вид поля «{spec.kind}»; известны: {', '.join(sorted(KINDS))}",
            form,
            spec.name,
        )
    return found


def check_messages(kind: Kind, spec: FieldSpec, form: str) -> None:
    """A field's `errors` name only the kind's message keys and known placeholders."""
    unknown = sorted(set(spec.errors) - set(kind.messages))
    if unknown:
        raise FormDeclarationError(
            f"errors: у вида «{kind.name}» нет сообщений {unknown}; есть: {sorted(kind.messages)}",
            form,
            spec.name,
        )
    for key, text in spec.errors.items():
        used = {name for _text, name, _spec, _conv in string.Formatter().parse(text) if name}
        if used - PLACEHOLDERS:
            raise FormDeclarationError(
                f"errors.{key}: неизвестные подстановки {sorted(used - PLACEHOLDERS)}; "
                f"доступны: {sorted(PLACEHOLDERS)}",
                form,
                spec.name,
            )


Validator = Callable[[Any], None]


def unless_empty(check: Validator) -> Validator:
    """A validator that lets an empty value through (emptiness is the requirement's business)."""

    def validate(value: Any) -> None:
        if not is_empty(value):
            check(value)

    return validate


def length(spec: FieldSpec, say: Say) -> Validator:
    """Text length within min_length/max_length."""

    def validate(value: str) -> None:
        size = len(value.strip())
        if spec.min_length is not None and size < spec.min_length:
            raise ValidationError(say("min_length", min=spec.min_length))
        if spec.max_length is not None and size > spec.max_length:
            raise ValidationError(say("max_length", max=spec.max_length))

    return unless_empty(validate)


def count(spec: FieldSpec, say: Say) -> Validator:
    """A list's length within min/max."""

    def validate(value: list[Any]) -> None:
        if spec.min is not None and len(value) < spec.min:
            raise ValidationError(say("min"))
        if spec.max is not None and len(value) > spec.max:
            raise ValidationError(say("max"))

    return unless_empty(validate)


def members(allowed: Collection[str], say: Say, key: str) -> Validator:
    """Every value of a list (or the single value) is one of `allowed`."""

    def validate(value: Any) -> None:
        values = value if isinstance(value, list) else [value]
        unknown = [str(item) for item in values if item not in allowed]
        if unknown:
            raise ValidationError(say(key, unknown=", ".join(unknown)))

    return unless_empty(validate)


def pattern(regex: re.Pattern[str], say: Say) -> Validator:
    """The text matches `regex`."""

    def validate(value: str) -> None:
        if not regex.fullmatch(value.strip()):
            raise ValidationError(say("invalid"))

    return unless_empty(validate)


def labelled(choices: Mapping[str, str] | tuple[tuple[str, str], ...]) -> str:
    """Choices as staff read them, for messages."""
    pairs = choices.items() if isinstance(choices, Mapping) else choices
    return ", ".join(label for _value, label in pairs)
