"""A form as declared: fields with kind, labels and rules; stored normalized with a version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

FORMAT = 1  # of the stored JSON; a reader refuses another


class FormDeclarationError(ValueError):
    """A forms declaration refused at deploy, naming the form and the field (in Russian)."""

    def __init__(
        self, message: str, form: str | None = None, field_name: str | None = None
    ) -> None:
        where = f"форма «{form}»" if form else ""
        if field_name:
            where += f", поле «{field_name}»"
        super().__init__(f"{where}: {message}" if where else message)
        self.form = form
        self.field_name = field_name


@dataclass(frozen=True)
class FieldSpec:
    """One field: its kind, Russian label and help, requirement rules, choices, bounds, messages."""

    name: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    required_if: dict[str, Any] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    default: Any = None
    errors: Mapping[str, str] = field(default_factory=dict)
    record: bool = False  # kept for people (the case history); no diagram need read it
    # A date or moment no later than a case's limit: {deadline: <table row>} or {data: <name>},
    # or several, each with an `if` on the form's values; the first that holds applies (Perm
    # 3.6: the promised date within the extended deadline, the photo one if photos are chosen).
    not_after: tuple[dict[str, Any], ...] | None = None
    # The value the task page starts from, read from the case: a data name or a dotted path
    # («linked_case.departments»: a repeat goes to the departments that answered before).
    default_from: str | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    def choice_label(self, value: str) -> str:
        """The Russian label of one of the field's choices, or the value itself."""
        return dict(self.choices).get(value, value)

    def with_changes(self, **changes: Any) -> FieldSpec:
        return replace(self, **changes)


@dataclass(frozen=True)
class FormSpec:
    """A step form: key, Russian title and help, fields in display order."""

    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    help: str = ""
    extends: str | None = None
    submit: str = ""  # what the submit button says («Направить куратору»); "" for the default

    def field(self, name: str) -> FieldSpec | None:
        return next((item for item in self.fields if item.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)


def forms_to_json(forms: Mapping[str, FormSpec]) -> dict[str, Any]:
    """The normalized declaration as stored with a version."""
    return {"format": FORMAT, "forms": {key: _form_json(form) for key, form in forms.items()}}


def _form_json(form: FormSpec) -> dict[str, Any]:
    data = asdict(form)
    if not data["submit"]:  # forms stored before the button's words keep their JSON
        del data["submit"]
    for item in data["fields"]:
        item["choices"] = [list(pair) for pair in item["choices"]]
        item["errors"] = dict(item["errors"])
    return data


def forms_from_json(data: Mapping[str, Any]) -> dict[str, FormSpec]:
    """Forms back from their stored JSON."""
    if data.get("format") != FORMAT:
        raise ValueError(f"stored forms have format {data.get('format')!r}, expected {FORMAT}")
    return {key: _form_from_json(raw) for key, raw in data["forms"].items()}


def _limits_from_json(raw: Any) -> tuple[dict[str, Any], ...] | None:
    # Versions stored before limits could be conditional hold one {deadline: …} dict.
    if not raw:
        return None
    return tuple(dict(item) for item in (raw if isinstance(raw, list | tuple) else [raw]))


def _form_from_json(raw: Mapping[str, Any]) -> FormSpec:
    fields = tuple(
        FieldSpec(
            **{
                **item,
                "choices": tuple((str(value), str(label)) for value, label in item["choices"]),
                "errors": dict(item["errors"]),
                "not_after": _limits_from_json(item.get("not_after")),
            }
        )
        for item in raw["fields"]
    )
    return FormSpec(
        key=raw["key"],
        title=raw["title"],
        fields=fields,
        help=raw.get("help", ""),
        extends=raw.get("extends"),
        submit=raw.get("submit", ""),
    )


def is_empty(value: Any) -> bool:
    """Whether a value counts as not given: nothing, blank text, no items, or «no»."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    return value is None or value is False


def provided_names(forms: Mapping[str, FormSpec]) -> set[str]:
    """Every data name the forms put into a case (for the diagram's static checks)."""
    return {item.name for form in forms.values() for item in form.fields}
