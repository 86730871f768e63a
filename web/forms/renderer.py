"""A step form rendered from its marshmallow schema, by field type; no template per form."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict

from engine.forms import form_schema
from web.forms.labels import MULTILINE, choice_label, field_label


@dataclass
class FieldView:
    """One field as the template macro `field` draws it."""

    name: str
    label: str
    widget: str  # text, textarea, url, checkbox, radio, select, checkboxes, lines
    required: bool
    value: Any = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What a form needs beyond its schema: submitted values, errors, dynamic choices."""

    values: dict[str, Any]
    errors: dict[str, list[str]]
    dynamic_choices: dict[str, list[tuple[str, str]]]


Renderer = Callable[[str, fields.Field, Context], FieldView]
RENDERERS: dict[type[fields.Field], Renderer] = {}
RADIO_MAX = 4  # more choices than this become a drop-down list


def renders(*types: type[fields.Field]) -> Callable[[Renderer], Renderer]:
    """Register a renderer for field types (subclasses inherit it unless registered)."""

    def register(renderer: Renderer) -> Renderer:
        for field_type in types:
            RENDERERS[field_type] = renderer
        return renderer

    return register


def _choices_of(item: fields.Field) -> list[str] | None:
    for rule in _validators(item):
        if isinstance(rule, validate.OneOf):
            return [str(choice) for choice in rule.choices]
    return None


def _validators(item: fields.Field) -> Iterable[Any]:
    return getattr(item, "validators", None) or []


def _base(name: str, item: fields.Field, context: Context, widget: str) -> FieldView:
    value = context.values.get(name, _initial(item))
    return FieldView(
        name=name,
        label=field_label(name),
        widget=widget,
        required=bool(item.required),
        value=value,
        errors=context.errors.get(name, []),
    )


def _initial(item: fields.Field) -> Any:
    default = item.load_default
    if default is None or default is fields.missing_ or callable(default):
        return "" if not isinstance(item, fields.List) else []
    return default


@renders(fields.String)
def text_field(name: str, item: fields.Field, context: Context) -> FieldView:
    """A string: a choice (radio or select) when it has OneOf, else a text box."""
    choices = _choices_of(item)
    if choices is None:
        return _base(name, item, context, "textarea" if name in MULTILINE else "text")
    view = _base(name, item, context, "radio" if len(choices) <= RADIO_MAX else "select")
    view.choices = [(choice, choice_label(choice)) for choice in choices]
    return view


@renders(fields.Url)
def url_field(name: str, item: fields.Field, context: Context) -> FieldView:
    """A link."""
    return _base(name, item, context, "url")


@renders(fields.Boolean)
def boolean_field(name: str, item: fields.Field, context: Context) -> FieldView:
    """A yes/no checkbox."""
    return _base(name, item, context, "checkbox")


@renders(fields.List)
def list_field(name: str, item: fields.Field, context: Context) -> FieldView:
    """A list: checkboxes for known choices (fixed or dynamic), else one value a line."""
    inner = item.inner if isinstance(item, fields.List) else None
    fixed = _choices_of(inner) if inner is not None else None
    choices = (
        [(choice, choice_label(choice)) for choice in fixed]
        if fixed is not None
        else context.dynamic_choices.get(name)
    )
    if choices is None:
        return _base(name, item, context, "lines")
    view = _base(name, item, context, "checkboxes")
    view.choices = choices
    return view


def renderer_for(item: fields.Field) -> Renderer:
    """The renderer registered for the field's type or its nearest base type."""
    for field_type in type(item).__mro__:
        found = RENDERERS.get(field_type)
        if found is not None:
            return found
    raise LookupError(f"no form renderer for {type(item).__name__}")


def ordered_fields(form_key: str) -> list[tuple[str, fields.Field]]:
    """The schema's fields in declaration order, the free comment last."""
    items = list(form_schema(form_key).fields.items())
    return sorted(items, key=lambda pair: pair[0] == "comment")


def render_form(
    form_key: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    dynamic_choices: dict[str, list[tuple[str, str]]] | None = None,
) -> list[FieldView]:
    """Field views of a form key, with submitted values and errors kept."""
    context = Context(values or {}, errors or {}, dynamic_choices or {})
    return [renderer_for(item)(name, item, context) for name, item in ordered_fields(form_key)]


def read_submission(form_key: str, form: MultiDict[str, str]) -> dict[str, Any]:
    """Form data for the schema: empty answers left out, so required ones are reported."""
    data: dict[str, Any] = {}
    for name, item in ordered_fields(form_key):
        if isinstance(item, fields.List):
            values = form.getlist(name)
            if name in MULTILINE:  # one value a line in a text box
                values = [line for value in values for line in value.splitlines()]
            cleaned = [value.strip() for value in values if value.strip()]
            if cleaned:
                data[name] = cleaned
        elif isinstance(item, fields.Boolean):
            if form.get(name):
                data[name] = True
        else:
            value = form.get(name, "").strip()
            if value:
                data[name] = value
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
