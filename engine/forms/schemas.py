"""The shared vocabulary of step forms; regulations differ by how they wire them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from engine.forms.registry import register_form
from engine.worktime import DeadlineSpec, DeadlineSpecError, Unit, parse_deadline

REQUIRED: dict[str, Any] = {"required": "Обязательное поле.", "null": "Обязательное поле."}
CHOICE = "Выберите одно из значений: {choices}."

NOT_PROCESSED_REASONS = ("obscenity", "insult", "threat", "harm_intent")
REWORK_REASONS = (
    "formal",  # Perm 3.7.1
    "contradictory",  # Perm 3.7.2
    "unanswered_questions",  # Perm 3.7.3, Elets 7
    "jargon",  # Perm 3.7.4
    "no_greeting",  # Elets 7
    "grammar",  # Elets 7
    "other",
)
ANSWER_KINDS = ("final", "intermediate", "clarification")
NUL = "Нулевой символ (NUL) недопустим."
SURROGATE = "Недопустимые символы (некорректный Юникод)."
# Answers are text; photos and documents travel as links (attachments), not inside the state.
MAX_FORM_TEXT = 65536
MAX_DEPARTMENT = 128  # open_user_tasks.department
# A shortened deadline is days, not years: a longer one is a typo, and far dates overflow.
MAX_SHORTENED = timedelta(days=366)
_SPAN = {
    Unit.SECOND: timedelta(seconds=1),
    Unit.MINUTE: timedelta(minutes=1),
    Unit.HOUR: timedelta(hours=1),
    Unit.DAY: timedelta(days=1),
    Unit.END_OF_WORKING_DAY: timedelta(0),
    Unit.END_OF_NEXT_WORKING_DAY: timedelta(days=1),
}


def check_characters(value: str) -> None:
    """Refuse NUL (PostgreSQL text cannot hold it) and lone surrogates (not encodable)."""
    if "\x00" in value:
        raise ValidationError(NUL)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(SURROGATE) from None


def _text(required: bool = True, min_length: int = 0) -> fields.String:
    rules = (
        [validate.Length(min=min_length, error="Не короче {min} символов.")] if min_length else []
    )
    return fields.String(required=required, error_messages=REQUIRED, validate=rules)


def _choice(choices: tuple[str, ...], required: bool = True) -> fields.String:
    return fields.String(
        required=required, error_messages=REQUIRED, validate=validate.OneOf(choices, error=CHOICE)
    )


class StepForm(Schema):
    """Base of every step form: an optional comment, unknown fields refused."""

    error_messages = {  # noqa: RUF012  (marshmallow reads this class attribute)
        "unknown": "Неизвестное поле.",
        "type": "Неверные данные формы.",
    }

    comment = fields.String(load_default="")

    class Meta:
        unknown = "raise"

    @pre_load
    def _plain_text(self, data: Any, **_: Any) -> Any:
        """Every submitted string, alone or in a list: no NUL, valid Unicode, bounded."""
        if not isinstance(data, dict):
            return data  # marshmallow reports the type
        errors: dict[str, list[str]] = {}
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                problem = _text_problem(item)
                if problem:
                    errors.setdefault(str(name), []).append(problem)
        if errors:
            raise ValidationError(errors)
        return data


def _text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if len(value) > MAX_FORM_TEXT:
        return f"Не длиннее {MAX_FORM_TEXT} символов."
    try:
        check_characters(value)
    except ValidationError as error:
        return str(error.messages[0])
    return None


@register_form("screen")
class ScreenForm(StepForm):
    """Curator's screening: take the message, refuse it (Palana 15, Perm 1.3) or redirect it."""

    screen_decision = _choice(("process", "not_processed", "redirect", "clarify"))
    not_processed_reason = _choice(NOT_PROCESSED_REASONS, required=False)
    redirect_to = _text(required=False)
    redirect_reasons = _text(required=False)

    @validates_schema
    def _reasons_given(self, data: dict[str, Any], **_: Any) -> None:
        if data["screen_decision"] == "not_processed" and not data.get("not_processed_reason"):
            raise ValidationError("Укажите основание.", "not_processed_reason")
        if data["screen_decision"] == "redirect":
            missing = [key for key in ("redirect_to", "redirect_reasons") if not data.get(key)]
            if missing:
                raise ValidationError({key: ["Обязательное поле."] for key in missing})


def _readable_deadline(text: str) -> None:
    try:
        spec = parse_deadline(text)
    except DeadlineSpecError as error:
        raise ValidationError(str(error)) from error
    if spec.before:
        # The diagram counts it from the message's arrival; «за … до …» would land in the past.
        raise ValidationError("Укажите срок от поступления сообщения, а не «за … до …».")
    if _span(spec) > MAX_SHORTENED:
        raise ValidationError(f"Срок не длиннее {MAX_SHORTENED.days} дней.")


def _span(spec: DeadlineSpec) -> timedelta:
    # Working time is counted like calendar time here: the bound is about magnitude.
    return spec.amount * _SPAN[spec.unit]


@register_form("route")
class RouteForm(StepForm):
    """Curator's routing to one or more executor departments (Perm 2.1.2, Palana 10)."""

    departments = fields.List(
        fields.String(
            validate=validate.Length(
                min=1, max=MAX_DEPARTMENT, error=f"От 1 до {MAX_DEPARTMENT} символов."
            )
        ),
        required=True,
        error_messages=REQUIRED,
        validate=validate.Length(min=1, error="Выберите хотя бы одно подразделение."),
    )
    topic = fields.String(load_default="")
    location = fields.String(load_default="")
    importance = fields.String(load_default="normal", validate=validate.OneOf(("normal", "high")))
    shortened_deadline = fields.String(load_default=None, validate=_readable_deadline)
    executor_publishes = fields.Boolean(load_default=False)
    repeat_publication = fields.Boolean(load_default=False)  # Myasnikovsky 11: a repeat publication


@register_form("draft_answer")
class DraftAnswerForm(StepForm):
    """Executor's draft: a final or intermediate answer, or a clarification request."""

    answer_kind = _choice(ANSWER_KINDS)
    answer_text = _text(min_length=10)
    final_answer_promised_at = fields.String(load_default=None)
    measures_taken = fields.String(load_default="")
    needs_photos = fields.Boolean(load_default=False)
    redirect_contacts = fields.String(load_default="")
    attachments = fields.List(fields.String(), load_default=list)


@register_form("review")
class ReviewForm(StepForm):
    """Curator's or approver's check: approve, or return for rework with reasons."""

    review_decision = _choice(("approve", "rework"))
    rework_reasons = fields.List(
        fields.String(validate=validate.OneOf(REWORK_REASONS, error=CHOICE)), load_default=list
    )

    @validates_schema
    def _rework_has_reason(self, data: dict[str, Any], **_: Any) -> None:
        if data["review_decision"] == "rework" and not data.get("rework_reasons"):
            raise ValidationError("Укажите причину возврата на доработку.", "rework_reasons")


@register_form("approve")
class ApproveForm(ReviewForm):
    """Approval by a second party (Myasnikovsky 10: the regional curator)."""


@register_form("forward")
class ForwardForm(StepForm):
    """Passing a draft on to the next party unchanged (Myasnikovsky 10: to the approver)."""


@register_form("publish")
class PublishForm(StepForm):
    """Publication of the answer where the citizen asked."""

    published_url = fields.Url(
        required=True,
        error_messages={**REQUIRED, "invalid": "Укажите ссылку на опубликованный ответ."},
    )


@register_form("report_back")
class ReportBackForm(StepForm):
    """Report back to the source system, with a screenshot where required (Chaykovsky 6)."""

    screenshot = _text()


@register_form("acknowledge")
class AcknowledgeForm(StepForm):
    """A notice read and acted upon (escalations to the head)."""

    measures = _text(required=False)
