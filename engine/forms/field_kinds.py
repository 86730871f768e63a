"""The field kinds regulations need: texts, choices, checklists, departments, moments, links."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields

from engine.forms.kinds import (
    FormContext,
    Kind,
    Say,
    count,
    labelled,
    length,
    members,
    pattern,
    register_kind,
    unless_empty,
)
from engine.forms.schemas import CHOICE
from engine.forms.spec import FieldSpec, FormDeclarationError
from engine.worktime import DeadlineSpec, DeadlineSpecError, Unit, parse_deadline

Field = fields.Field[Any]
TOO_FEW = "Выбрано меньше допустимого: нужно не меньше {min}."
TOO_MANY = "Выбрано больше допустимого: можно не больше {max}."
NOT_AFTER = "Дата позже срока: укажите дату не позже {limit}."
PHONE = re.compile(r"\+?[\d\s()\-]{5,20}")
MAX_DEPARTMENT = 128  # open_user_tasks.department
# A deadline from a form is days, not years: a longer one is a typo, and far dates overflow.
MAX_DEADLINE = timedelta(days=366)
_SPAN = {
    Unit.SECOND: timedelta(seconds=1),
    Unit.MINUTE: timedelta(minutes=1),
    Unit.HOUR: timedelta(hours=1),
    Unit.DAY: timedelta(days=1),
    Unit.END_OF_WORKING_DAY: timedelta(0),
    Unit.END_OF_NEXT_WORKING_DAY: timedelta(days=1),
}


@register_kind
class Text(Kind):
    """One line of text."""

    name = "text"
    options = frozenset({"min_length", "max_length", "default"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "min_length": "Не короче {min} символов.",
        "max_length": "Не длиннее {max} символов.",
    }
    empty = ""

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return fields.String(validate=length(spec, say), **base)


@register_kind
class LongText(Text):
    """Several lines of text (an answer, reasons, measures)."""

    name = "long_text"


@register_kind
class Choice(Kind):
    """One of a fixed list of values."""

    name = "choice"
    options = frozenset({"choices", "default"})
    messages: ClassVar[dict[str, str]] = {**Kind.messages, "choice": CHOICE}
    takes_choices = True

    def check(self, spec: FieldSpec, form: str) -> None:
        super().check(spec, form)
        if spec.default is not None and spec.default not in spec.choice_values:
            raise FormDeclarationError(f"default «{spec.default}» не из choices", form, spec.name)

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return fields.String(validate=members(spec.choice_values, say, "choice"), **base)


@register_kind
class MultiChoice(Kind):
    """Several values of a fixed list, with min/max counts."""

    name = "multi_choice"
    options = frozenset({"choices", "min", "max", "default"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "choice": "Недопустимые значения: {unknown}. Возможны: {choices}.",
        "min": TOO_FEW,
        "max": TOO_MANY,
    }
    empty: ClassVar[Any] = []
    takes_choices = True
    list_valued = True

    def check(self, spec: FieldSpec, form: str) -> None:
        super().check(spec, form)
        outside = [value for value in spec.default or [] if value not in spec.choice_values]
        if outside:
            raise FormDeclarationError(f"default {outside} не из choices", form, spec.name)

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        allowed = self.choices(spec, context)
        rules = [members([value for value, _ in allowed], say, "choice"), count(spec, say)]
        return fields.List(fields.String(), validate=rules, **base)


@register_kind
class Checklist(MultiChoice):
    """Items to confirm: when the field is required, every item must be confirmed."""

    name = "checklist"
    options = frozenset({"choices"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "required": "Подтвердите каждый пункт: {missing}.",
        "incomplete": "Не подтверждено: {missing}.",
        "choice": "Недопустимые пункты: {unknown}.",
    }

    def missing(self, spec: FieldSpec, value: Any, context: FormContext) -> str | None:
        confirmed = set(value or [])
        unconfirmed = [(v, label) for v, label in spec.choices if v not in confirmed]
        if not unconfirmed:
            return None
        key = "incomplete" if confirmed else "required"
        return Say(self, spec)(key, missing=labelled(tuple(unconfirmed)))


@register_kind
class Department(Kind):
    """One of the municipality's departments (municipality.yaml)."""

    name = "department"
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "unknown": "Нет такого подразделения: {unknown}.",
        "length": f"От 1 до {MAX_DEPARTMENT} символов.",
    }

    def choices(self, spec: FieldSpec, context: FormContext) -> tuple[tuple[str, str], ...]:
        return context.departments

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        rules = [_fitting_ids(say), _known_departments(context, say)]
        return fields.String(validate=rules, **base)


def _fitting_ids(say: Say) -> Any:
    """Every department id fits the task list's column, whatever municipality.yaml lists."""

    def validate(value: Any) -> None:
        values = value if isinstance(value, list) else [value]
        if any(not 0 < len(str(item)) <= MAX_DEPARTMENT for item in values):
            raise ValidationError(say("length"))

    return unless_empty(validate)


def _known_departments(context: FormContext, say: Say) -> Any:
    # A municipality that lists no departments lets staff type ids (municipality.yaml is silent).
    if not context.departments:
        return unless_empty(lambda _value: None)
    return members(context.department_ids, say, "unknown")


@register_kind
class Departments(Department):
    """Several of the municipality's departments, with min/max counts (routing)."""

    name = "departments"
    options = frozenset({"min", "max"})
    messages: ClassVar[dict[str, str]] = {
        **Department.messages,
        "min": "Подразделений нужно выбрать не меньше {min}.",
        "max": "Подразделений можно выбрать не больше {max}.",
    }
    empty: ClassVar[Any] = []
    list_valued = True

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        rules = [_fitting_ids(say), _known_departments(context, say), count(spec, say)]
        return fields.List(fields.String(), validate=rules, **base)


class _Moment(fields.Field[Any]):
    """An ISO date-time; one without an offset is read in the municipality's zone."""

    def __init__(self, zone: ZoneInfo, **options: Any) -> None:
        super().__init__(**options)
        self.zone = zone

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        moment = value if isinstance(value, datetime) else _parse(value, datetime.fromisoformat)
        if moment is None:
            raise self.make_error("invalid")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.isoformat()


class _Day(fields.Field[Any]):
    """An ISO date (YYYY-MM-DD), kept as text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        day = _parse(value, date.fromisoformat)
        if day is None:
            raise self.make_error("invalid")
        return day.isoformat()


def _parse(value: Any, parse: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return parse(value.strip())
    except ValueError:
        return None


@register_kind
class DateTime(Kind):
    """A moment, entered in the municipality's local time."""

    name = "datetime"
    options = frozenset({"not_after"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите дату и время.",
        "not_after": NOT_AFTER,
    }

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return _Moment(ZoneInfo(context.timezone), **base)

    def later_than(self, value: Any, limit: datetime, zone: ZoneInfo) -> str | None:
        if datetime.fromisoformat(str(value)) <= limit:
            return None
        return limit.astimezone(zone).strftime("%d.%m.%Y %H:%M")


@register_kind
class Day(Kind):
    """A calendar date."""

    name = "date"
    options = frozenset({"not_after"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите дату (ГГГГ-ММ-ДД).",
        "not_after": NOT_AFTER,
    }

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return _Day(**base)

    def later_than(self, value: Any, limit: datetime, zone: ZoneInfo) -> str | None:
        # A promised day is kept if it is the limit's own day in the municipality's zone.
        last_day = limit.astimezone(zone).date()
        if date.fromisoformat(str(value)) <= last_day:
            return None
        return last_day.strftime("%d.%m.%Y")


@register_kind
class DeadlineText(Kind):
    """A deadline as the regulation writes it («1 рабочий день»), read by the deadline parser."""

    name = "deadline_text"
    options = frozenset({"default"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "{error}",
        # The diagram counts it from the message's arrival; «за … до …» would land in the past.
        "before": "Укажите срок от поступления сообщения, а не «за … до …».",
        "too_long": f"Срок не длиннее {MAX_DEADLINE.days} дней.",
    }

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        def readable(text: str) -> None:
            try:
                deadline = parse_deadline(text)
            except DeadlineSpecError as error:
                raise ValidationError(say("invalid", error=str(error))) from error
            if deadline.before:
                raise ValidationError(say("before"))
            if _span(deadline) > MAX_DEADLINE:
                raise ValidationError(say("too_long"))

        return fields.String(validate=unless_empty(readable), **base)


def _span(deadline: DeadlineSpec) -> timedelta:
    # Working time is counted like calendar time here: the bound is about magnitude.
    return deadline.amount * _SPAN[deadline.unit]


@register_kind
class Url(Kind):
    """A link (http or https)."""

    name = "url"
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите правильную ссылку (https://…).",
    }
    empty = ""

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return fields.String(validate=unless_empty(_url_check(say)), **base)


def _url_check(say: Say) -> Any:
    link = fields.Url(schemes={"http", "https"})

    def validate(value: str) -> None:
        try:
            link.deserialize(value.strip())
        except ValidationError as error:
            raise ValidationError(say("invalid", unknown=value)) from error

    return validate


@register_kind
class Email(Kind):
    """An e-mail address."""

    name = "email"
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите адрес электронной почты.",
    }
    empty = ""

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        address = fields.Email()

        def validate(value: str) -> None:
            try:
                address.deserialize(value.strip())
            except ValidationError as error:
                raise ValidationError(say("invalid")) from error

        return fields.String(validate=unless_empty(validate), **base)


@register_kind
class Phone(Kind):
    """A telephone number: digits, spaces, +, brackets and hyphens."""

    name = "phone"
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите номер телефона: цифры, «+», скобки, дефисы.",
    }
    empty = ""

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return fields.String(validate=pattern(PHONE, say), **base)


@register_kind
class Attachments(Kind):
    """Links to files (photos, documents, screenshots), one a line in the browser."""

    name = "attachments"
    options = frozenset({"max"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите правильные ссылки (https://…): {unknown}.",
        "max": "Ссылок можно указать не больше {max}.",
    }
    empty: ClassVar[Any] = []
    list_valued = True

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        link = fields.Url(schemes={"http", "https"})

        def links(values: list[str]) -> None:
            wrong = []
            for value in values:
                try:
                    link.deserialize(value)
                except ValidationError:
                    wrong.append(value)
            if wrong:
                raise ValidationError(say("invalid", unknown=", ".join(wrong)))

        return fields.List(
            fields.String(), validate=[unless_empty(links), count(spec, say)], **base
        )


@register_kind
class Boolean(Kind):
    """Yes or no; a required one must be yes (a confirmation)."""

    name = "boolean"
    options = frozenset({"default"})
    messages: ClassVar[dict[str, str]] = {**Kind.messages, "invalid": "Укажите «да» или «нет»."}
    empty = False

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        return fields.Boolean(**base)


@register_kind
class Number(Kind):
    """A whole number within min/max."""

    name = "number"
    options = frozenset({"min", "max", "default"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "invalid": "Укажите целое число.",
        "min": "Не меньше {min}.",
        "max": "Не больше {max}.",
    }

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Field:
        def within(value: int) -> None:
            if spec.min is not None and value < spec.min:
                raise ValidationError(say("min"))
            if spec.max is not None and value > spec.max:
                raise ValidationError(say("max"))

        return fields.Integer(strict=False, validate=unless_empty(within), **base)
