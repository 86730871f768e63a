"""One widget per field kind: how the browser shows a declared field and how its answer is read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from engine.forms import FieldSpec, FormContext

RADIO_MAX = 4  # more choices than this become a drop-down list
MISSING = object()  # nothing submitted: the field is left out, so a requirement reports it


@dataclass
class FieldView:
    """One field as the template macro `field` draws it."""

    name: str
    label: str
    widget: str  # input, textarea, radio, select, checkboxes, checklist, checkbox, lines, files
    required: bool
    value: Any = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    help: str = ""
    input_type: str = "text"  # for the widget `input`: text, url, email, tel, date, ...
    rule: dict[str, Any] | None = None  # required_if, evaluated by web/static/forms.js too
    min: float | None = None
    max: float | None = None


Reader = Callable[[str, MultiDict[str, str]], Any]
Shower = Callable[[Any, FormContext], Any]


@dataclass(frozen=True)
class Widget:
    """How one kind is drawn (widget, input type) and read back from a submitted form."""

    widget: str
    read: Reader
    input_type: str = "text"
    show: Shower = lambda value, _context: value  # a stored value as the widget shows it


def read_one(name: str, form: MultiDict[str, str]) -> Any:
    """One trimmed value; blank is nothing."""
    value = form.get(name, "").strip()
    return value if value else MISSING


def read_many(name: str, form: MultiDict[str, str]) -> Any:
    """Every chosen value; none is nothing."""
    values = [value.strip() for value in form.getlist(name) if value.strip()]
    return values if values else MISSING


def read_lines(name: str, form: MultiDict[str, str]) -> Any:
    """One value a line of a text box."""
    lines = [line.strip() for value in form.getlist(name) for line in value.splitlines()]
    return [line for line in lines if line] or MISSING


def read_flag(name: str, form: MultiDict[str, str]) -> Any:
    """A ticked box is «yes»; an unticked one sends nothing."""
    return True if form.get(name) else MISSING


def local_moment(value: Any, context: FormContext) -> Any:
    """A stored moment as `datetime-local` shows it: the municipality's wall time."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(context.timezone))
    return moment.strftime("%Y-%m-%dT%H:%M")


WIDGETS: dict[str, Widget] = {
    "text": Widget("input", read_one),
    "long_text": Widget("textarea", read_one),
    "choice": Widget("radio", read_one),
    "multi_choice": Widget("checkboxes", read_many),
    "checklist": Widget("checklist", read_many),
    "department": Widget("select", read_one),
    "departments": Widget("checkboxes", read_many),
    "datetime": Widget("input", read_one, "datetime-local", local_moment),
    "date": Widget("input", read_one, "date"),
    "deadline_text": Widget("input", read_one),
    "url": Widget("input", read_one, "url"),
    "email": Widget("input", read_one, "email"),
    "phone": Widget("input", read_one, "tel"),
    "attachments": Widget("lines", read_lines),
    # Files already stored come back as their hashes; new ones arrive in request.files.
    "files": Widget("files", read_many, "files"),
    "photos": Widget("files", read_many, "photos"),
    "boolean": Widget("checkbox", read_flag),
    "number": Widget("input", read_one, "number"),
}


def register_widget(kind: str, widget: Widget) -> None:
    """The widget of a field kind registered in the engine (engine.forms.register_kind)."""
    WIDGETS[kind] = widget


def widget_of(spec: FieldSpec) -> Widget:
    """The widget of a field's kind."""
    try:
        return WIDGETS[spec.kind]
    except KeyError:
        raise LookupError(f"no widget for the field kind {spec.kind!r}") from None


def widget_name(widget: Widget, choices: list[tuple[str, str]]) -> str:
    """A radio group becomes a drop-down list when it has many choices."""
    if widget.widget == "radio" and len(choices) > RADIO_MAX:
        return "select"
    return widget.widget
