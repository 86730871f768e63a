"""What the API answers (marshmallow schemas: they dump the responses and document them)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

PAGE_ERRORS: dict[str, Any] = {
    "invalid": "Нужно целое число.",
    "validator_failed": "Вне допустимых значений.",
}
DATE_ERRORS: dict[str, Any] = {
    "invalid": "Укажите дату и время (ISO 8601).",
    "invalid_awareness": "Нужен пояс.",
}


class ProblemSchema(Schema):
    """RFC 9457 problem details; `errors` holds messages per field."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class MessageCreatedSchema(Schema):
    """A registered message and the case it started or joined."""

    message_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    repeat = fields.Boolean(metadata={"description": "A repeat joined the author's open case."})


class StepSchema(Schema):
    """A step waiting to be done."""

    task_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    role = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)


class DeadlineSchema(Schema):
    """One deadline of the case as the ledger holds it."""

    name = fields.String()
    clause = fields.String(allow_none=True)
    text = fields.String()
    state = fields.String()
    due_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)


class ViolationSchema(Schema):
    """A deadline that passed."""

    id = fields.Integer()
    case_id = fields.Integer()
    element_id = fields.String()
    step_name = fields.String()
    clause = fields.String(allow_none=True)
    due_at = fields.AwareDateTime()
    recorded_at = fields.AwareDateTime()
    responsible_role = fields.String(allow_none=True)
    responsible_department = fields.String(allow_none=True)
    responsible_user = fields.String(allow_none=True)


class PublicationSchema(Schema):
    """The answer's delivery through the channel's API."""

    status = fields.String(
        metadata={"enum": ["pending", "sending", "retrying", "sent", "failed", "manual"]}
    )
    channel = fields.String()
    url = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    error = fields.String(allow_none=True)


class AnswerSchema(Schema):
    """The approved answer and where it was published."""

    text = fields.String(allow_none=True)
    published_url = fields.String(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)
    publication = fields.Nested(PublicationSchema, allow_none=True)


class CaseMessageSchema(Schema):
    """The message that opened the case."""

    id = fields.Integer()
    source = fields.String()
    external_id = fields.String()
    channel = fields.String()
    url = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()


class CaseSchema(Schema):
    """A case: status, current steps, deadlines, violations, published answer."""

    id = fields.Integer()
    municipality = fields.String()
    status = fields.String(metadata={"enum": ["running", "completed", "cancelled", "error"]})
    started_at = fields.AwareDateTime()
    completed_at = fields.AwareDateTime(allow_none=True)
    message = fields.Nested(CaseMessageSchema)
    current_steps = fields.List(fields.Nested(StepSchema))
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    violations = fields.List(fields.Nested(ViolationSchema))
    answer = fields.Nested(AnswerSchema)


class ViolationQuerySchema(Schema):
    """Filters and paging of the violations list."""

    error_messages = {"unknown": "Неизвестный параметр."}  # noqa: RUF012  (marshmallow reads it)

    case_id = fields.Integer(
        error_messages=PAGE_ERRORS,
        validate=validate.Range(min=1, max=2**31 - 1, error="От {min} до {max}."),
    )
    element_id = fields.String(validate=validate.Length(max=128))
    department = fields.String(validate=validate.Length(max=128))
    since = fields.AwareDateTime(error_messages=DATE_ERRORS, metadata={"description": "recorded"})
    until = fields.AwareDateTime(error_messages=DATE_ERRORS)
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=10**6, error="От {min} до {max}."),
        error_messages=PAGE_ERRORS,
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100, error="От {min} до {max}."),
        error_messages=PAGE_ERRORS,
    )

    class Meta:
        unknown = "raise"


class ViolationPageSchema(Schema):
    """One page of violations, newest first."""

    items = fields.List(fields.Nested(ViolationSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
