"""A step form drawn from the version's declared form, by field kind; no template per form."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from engine.forms import FieldSpec, FormSpec, VersionForms
from web.forms.widgets import MISSING, FieldView, widget_name, widget_of


def render_form(
    forms: VersionForms,
    key: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[FieldView]:
    """Field views of a version's form, with submitted values and errors kept."""
    values, errors = values or {}, errors or {}
    return [_view(forms, key, spec, values, errors) for spec in forms.form(key).fields]


def _view(
    forms: VersionForms,
    key: str,
    spec: FieldSpec,
    values: dict[str, Any],
    errors: dict[str, list[str]],
) -> FieldView:
    widget = widget_of(spec)
    choices = list(forms.choices(key, spec.name))
    value = values.get(spec.name, spec.default)
    return FieldView(
        name=spec.name,
        label=spec.label,
        widget=widget_name(widget, choices),
        required=spec.required or spec.required_if is not None,
        value=widget.show(value, forms.context) if value is not None else None,
        choices=choices,
        errors=errors.get(spec.name, []),
        help=spec.help,
        input_type=widget.input_type,
        rule=spec.required_if,
        min=spec.min,
        max=spec.max,
    )


def read_submission(form: FormSpec, submitted: MultiDict[str, str]) -> dict[str, Any]:
    """Form data for the schema: empty answers left out, so required ones are reported."""
    data: dict[str, Any] = {}
    for spec in form.fields:
        value = widget_of(spec).read(spec.name, submitted)
        if value is not MISSING:
            data[spec.name] = value
    return data


def flatten_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Per-field messages in Russian; nested list errors joined under their field."""
    flat: dict[str, list[str]] = {}
    for name, found in errors.items():
        flat[name] = [gettext(message) for message in _messages(found)]
    return flat


def _messages(found: Any) -> list[str]:
    if isinstance(found, str):
        return [found]
    if isinstance(found, dict):
        return [message for value in found.values() for message in _messages(value)]
    return [message for value in found for message in _messages(value)]
