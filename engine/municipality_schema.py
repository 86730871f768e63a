"""The schema of municipality.yaml: every key checked, errors in Russian naming the key.

The `calendar` section's keys and formats are checked here too; whether a lunch lies inside a
day and a date is both off and working are checked after, by engine.worktime.settings
(docs/modelling.md, «municipality.yaml»).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from engine.roles import ABILITIES, DEFAULT_ROLES, VISIBILITIES
from engine.worktime.loader import SETTINGS_FILE, municipality_file
from engine.worktime.settings import WEEKDAYS, CalendarConfigError

MAX_DEPARTMENT = 128  # open_user_tasks.department
MAX_SOURCE = 64  # messages.source
MAX_ROLE = 64  # open_user_tasks.role
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
DEFAULT_ROLE_IDS = frozenset(role.id for role in DEFAULT_ROLES)
# marshmallow's own messages, as a lawyer editing the file reads them.
RUSSIAN = {
    "Missing data for required field.": "обязательный ключ отсутствует",
    "Field may not be null.": "значение не может быть пустым",
    "Unknown field.": "неизвестный ключ",
    "Not a valid string.": "ожидается текст",
    "Not a valid list.": "ожидается список",
    "Not a valid mapping type.": "ожидается набор ключей (mapping)",
    "Invalid input type.": "ожидается набор ключей (mapping)",
    "Invalid input.": "недопустимое значение",
    "Not a valid integer.": "ожидается целое число",
    "Not a valid date.": "ожидается дата ГГГГ-ММ-ДД",
}


class MunicipalityFileError(CalendarConfigError):
    """municipality.yaml is missing, not YAML or breaks its schema; the message names the key."""


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _identifier(limit: int) -> list[validate.Validator]:
    return [
        validate.Length(min=1, max=limit, error=f"от 1 до {limit} символов"),
        validate.Regexp(IDENTIFIER, error="латинские строчные буквы, цифры и _, с буквы"),
    ]


class DepartmentSchema(_Strict):
    """A structural unit: its id (stored with tasks) and Russian name."""

    id = fields.String(required=True, validate=_identifier(MAX_DEPARTMENT))
    name = fields.String(required=True, validate=validate.Length(min=1, error="пустое название"))


class RoleSchema(_Strict):
    """A role: a new one needs a Russian name; a default one may add lanes or rename."""

    id = fields.String(required=True, validate=_identifier(MAX_ROLE))
    name = fields.String(validate=validate.Length(min=1, error="пустое название"))
    lanes = fields.List(fields.String(validate=_identifier(MAX_ROLE)))
    sees = fields.String(
        validate=validate.OneOf(VISIBILITIES, error=f"одно из: {', '.join(VISIBILITIES)}")
    )
    may = fields.List(
        fields.String(validate=validate.OneOf(ABILITIES, error=f"одно из: {', '.join(ABILITIES)}"))
    )

    @validates_schema
    def _named(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["id"] not in DEFAULT_ROLE_IDS and not data.get("name"):
            raise ValidationError("новой роли нужно русское название", "name")


class _Span(fields.Field[Any]):
    """Office hours «HH:MM-HH:MM» (quoted), null, or {hours, lunch} where `lunch_ok`."""

    def __init__(self, *, nullable: bool = True, nested: bool = True, **options: Any) -> None:
        super().__init__(allow_none=nullable, **options)
        self.nested = nested

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dict) and self.nested:
            unknown = sorted(str(key) for key in value if key not in ("hours", "lunch"))
            if unknown or "hours" not in value:
                raise ValidationError('ожидается {hours: "ЧЧ:ММ-ЧЧ:ММ", lunch: …}')
            return {key: _span(item) for key, item in value.items() if item is not None}
        return _span(value)


def _span(value: Any) -> str:
    match = SPAN.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(f"ожидается время «ЧЧ:ММ-ЧЧ:ММ» в кавычках, а не {value!r}")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) >= (h2, m2):
        raise ValidationError(f"«{value}»: начало должно быть раньше конца, в пределах суток")
    return str(value)


class _Day(fields.Field[Any]):
    """A date: YYYY-MM-DD."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(f"ожидается дата ГГГГ-ММ-ДД, а не {value!r}") from None


class DatedSchema(_Strict):
    """One dated override: a day off, a holiday, a working day or a day's own hours."""

    date = _Day(required=True)
    reason = fields.String(allow_none=True)
    hours = _Span(nullable=True, nested=False)
    lunch = _Span(nullable=True, nested=False)


class OverridesSchema(_Strict):
    """Dated exceptions to the week."""

    days_off = fields.List(fields.Nested(DatedSchema(exclude=("hours", "lunch"))), allow_none=True)
    holidays = fields.List(fields.Nested(DatedSchema(exclude=("hours", "lunch"))), allow_none=True)
    working_days = fields.List(fields.Nested(DatedSchema), allow_none=True)
    hours = fields.List(fields.Nested(DatedSchema), allow_none=True)


class CalendarSchema(_Strict):
    """The office week (docs/working-time.md); whether lunch fits the day is checked after."""

    office_hours = fields.Dict(
        keys=fields.String(
            validate=validate.OneOf(WEEKDAYS, error=f"день недели: {', '.join(WEEKDAYS)}")
        ),
        values=_Span(),
        allow_none=True,
    )
    lunch = _Span(nested=False)
    pre_holiday_shortening_minutes = fields.Integer(
        strict=True, validate=validate.Range(0, 240, error="от 0 до 240 минут")
    )
    transferred_working_day = _Span(nullable=False)
    overrides = fields.Nested(OverridesSchema, allow_none=True)


class DeadlinesSchema(_Strict):
    """How the regulation counts plain hours."""

    plain_hours = fields.String(
        validate=validate.OneOf(("calendar", "working"), error="одно из: calendar, working")
    )


class MunicipalitySchema(_Strict):
    """The whole file."""

    name = fields.String(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, error="пустое название"))
    timezone = fields.String(required=True)
    calendar = fields.Nested(CalendarSchema, allow_none=True)
    deadlines = fields.Nested(DeadlinesSchema, allow_none=True)
    sources = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_SOURCE, error="от 1 до 64 символов")),
        validate=validate.Length(min=1, error="пустой список"),
    )
    departments = fields.List(fields.Nested(DepartmentSchema), allow_none=True)
    roles = fields.List(fields.Nested(RoleSchema), allow_none=True)

    @validates_schema
    def _zone(self, data: dict[str, Any], **_kwargs: Any) -> None:
        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError, KeyError):
            raise ValidationError(
                f"неизвестный часовой пояс «{data.get('timezone')}» (например, Europe/Moscow)",
                "timezone",
            ) from None

    @validates_schema
    def _unique(self, data: dict[str, Any], **_kwargs: Any) -> None:
        for key in ("departments", "roles"):
            ids = [item["id"] for item in data.get(key) or ()]
            twice = sorted({item for item in ids if ids.count(item) > 1})
            if twice:
                raise ValidationError(f"повторяются id: {', '.join(twice)}", key)

    @validates_schema
    def _lanes(self, data: dict[str, Any], **_kwargs: Any) -> None:
        owner = {role.id: role.id for role in DEFAULT_ROLES}
        for role in data.get("roles") or ():
            for lane in role.get("lanes") or ():
                if owner.setdefault(lane, role["id"]) != role["id"]:
                    raise ValidationError(
                        f"дорожка «{lane}» уже закреплена за ролью «{owner[lane]}», "
                        f"а указана и у роли «{role['id']}»",
                        "roles",
                    )


def read_settings(municipality: str, processes_dir: Path) -> dict[str, Any]:
    """municipality.yaml read and validated; MunicipalityFileError in Russian otherwise."""
    try:
        path = municipality_file(municipality, processes_dir)
    except CalendarConfigError:
        raise MunicipalityFileError(
            f"«{municipality}»: муниципалитет называется по имени папки (a-z, 0-9, _-)"
        ) from None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MunicipalityFileError(
            f"{path}: файла {SETTINGS_FILE} нет (неизвестный муниципалитет?)"
        ) from None
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as error:  # PyYAML raises ValueError on 2025-13-01
        raise MunicipalityFileError(f"{path}: не читается как YAML: {error}") from None
    if not isinstance(raw, dict):
        raise MunicipalityFileError(f"{path}: ожидается набор ключей (name, title, timezone, …)")
    if "channels" in raw:  # the key's old name: refused so the list is not silently ignored
        raise MunicipalityFileError(f"{path}: channels: ключ переименован в sources")
    try:
        MunicipalitySchema().load(raw)
    except ValidationError as error:
        raise MunicipalityFileError(f"{path}: {'; '.join(flatten(error.messages))}") from None
    if raw["name"] != municipality:
        raise MunicipalityFileError(
            f"{path}: name: «{raw['name']}» не совпадает с именем папки «{municipality}»"
        )
    return raw


def flatten(messages: Any, key: str = "") -> list[str]:
    """marshmallow's nested messages as «departments[2].name: …» lines (items counted from 1)."""
    if isinstance(messages, dict):
        lines = []
        for name, inner in messages.items():
            if isinstance(name, int):
                where = f"{key}[{name + 1}]"
            elif name in ("_schema", "value", "key"):  # a mapping's own, its value's, its key's
                where = key
            else:
                where = f"{key}.{name}" if key else str(name)
            lines += flatten(inner, where)
        return lines
    if isinstance(messages, list):
        return [line for item in messages for line in flatten(item, key)]
    text = RUSSIAN.get(str(messages), str(messages))
    return [f"{key or '<файл>'}: {text}"]
