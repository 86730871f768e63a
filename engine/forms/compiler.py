"""Compiling form specs into marshmallow schemas: what every completion validates through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, pre_load, validates_schema

from engine.forms.conditions import evaluate
from engine.forms.kinds import KINDS, FormContext
from engine.forms.schemas import text_problem
from engine.forms.spec import FieldSpec, FormSpec, provided_names


class FormError(ValueError):
    """Form data refused, with messages per field."""

    def __init__(self, form_key: str, errors: dict[str, Any]) -> None:
        super().__init__(f"form {form_key!r} is invalid: {errors}")
        self.form_key = form_key
        self.errors = errors


class StepSchema(Schema):
    """Base of every compiled form: unknown fields refused, requirements checked per form."""

    form: ClassVar[FormSpec]
    context: ClassVar[FormContext]
    error_messages = {  # noqa: RUF012  (marshmallow reads this class attribute)
        "unknown": "Неизвестное поле.",
        "type": "Неверные данные формы.",
    }

    class Meta:
        unknown = RAISE

    @pre_load
    def _plain_text(self, data: Any, **_: Any) -> Any:
        """Every submitted string, alone or in a list: no NUL, valid Unicode, bounded."""
        if not isinstance(data, Mapping):
            return data  # marshmallow reports the type
        errors: dict[str, list[str]] = {}
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                problem = text_problem(item)
                if problem:
                    errors.setdefault(str(name), []).append(problem)
        if errors:
            raise ValidationError(errors)
        return data

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _requirements(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        if not isinstance(original, Mapping):
            return
        errors: dict[str, list[str]] = {}
        for spec in self.form.fields:
            if spec.name in original and spec.name not in data:
                continue  # the field's own error is reported already
            if not applies(spec, data):
                continue
            message = KINDS[spec.kind].missing(spec, data.get(spec.name), self.context)
            if message:
                errors[spec.name] = [message]
        if errors:
            raise ValidationError(errors)


def applies(spec: FieldSpec, data: Mapping[str, Any]) -> bool:
    """Whether the field is required for these values (always, or by its condition)."""
    if spec.required:
        return True
    return spec.required_if is not None and evaluate(spec.required_if, data)


def compile_form(form: FormSpec, context: FormContext) -> type[StepSchema]:
    """The marshmallow schema of one form in one municipality."""
    attributes: dict[str, Any] = {
        spec.name: KINDS[spec.kind].build(spec, context) for spec in form.fields
    }
    attributes.update(form=form, context=context)
    return type(f"{form.key.title().replace('_', '')}Form", (StepSchema,), attributes)


class VersionForms:
    """A version's forms compiled for its municipality: validate, describe, list names."""

    def __init__(self, forms: Mapping[str, FormSpec], context: FormContext) -> None:
        self.specs = dict(forms)
        self.context = context
        self._schemas = {key: compile_form(form, context) for key, form in self.specs.items()}
        self._instances: dict[str, StepSchema] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.specs

    def keys(self) -> list[str]:
        return sorted(self.specs)

    def form(self, key: str) -> FormSpec:
        """A form's spec, or FormError for a key the version does not declare."""
        try:
            return self.specs[key]
        except KeyError:
            raise FormError(key, {"_form": [f"Неизвестная форма «{key}»."]}) from None

    def schema(self, key: str) -> StepSchema:
        """A form's schema instance, made once: a marshmallow load keeps no state on it."""
        self.form(key)
        schema = self._instances.get(key)
        if schema is None:
            schema = self._instances[key] = self._schemas[key]()
        return schema

    def validate(self, key: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Validated, typed data for a form, or FormError with Russian messages per field."""
        try:
            loaded: dict[str, Any] = self.schema(key).load(data)
        except ValidationError as error:
            raise FormError(key, error.normalized_messages()) from error
        return loaded

    def choices(self, key: str, name: str) -> tuple[tuple[str, str], ...]:
        """What staff pick from for a field (departments from the municipality)."""
        spec = self.form(key).field(name)
        return KINDS[spec.kind].choices(spec, self.context) if spec else ()

    def field_label(self, key: str | None, name: str) -> str:
        """A field's Russian label in a form, or its name when the form has no such field."""
        spec = self.specs[key].field(name) if key in self.specs else None
        return spec.label if spec else name

    def value_label(self, key: str | None, name: str, value: str) -> str:
        """A chosen value as staff read it: its choice label or department name."""
        if key not in self.specs:
            return value
        return dict(self.choices(key, name)).get(value, value)

    def provided_names(self) -> set[str]:
        """Every data name these forms put into a case."""
        return provided_names(self.specs)
