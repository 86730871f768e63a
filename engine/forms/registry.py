"""The form registry: form key → marshmallow schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError

FORMS: dict[str, type[Schema]] = {}


class FormError(ValueError):
    """Form data refused, with messages per field."""

    def __init__(self, form_key: str, errors: dict[str, Any]) -> None:
        super().__init__(f"form {form_key!r} is invalid: {errors}")
        self.form_key = form_key
        self.errors = errors


def register_form(key: str) -> Callable[[type[Schema]], type[Schema]]:
    """Register a schema under a form key named in diagrams."""

    def register(schema: type[Schema]) -> type[Schema]:
        FORMS[key] = schema
        return schema

    return register


def form_schema(key: str) -> Schema:
    """A fresh schema instance for a form key."""
    try:
        return FORMS[key]()
    except KeyError:
        raise FormError(key, {"_form": [f"Неизвестная форма «{key}»."]}) from None


def validate_form(key: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validated, typed data for a form, or `FormError` with per-field messages."""
    try:
        loaded: dict[str, Any] = form_schema(key).load(data)
    except ValidationError as error:
        raise FormError(key, error.normalized_messages()) from error
    return loaded
