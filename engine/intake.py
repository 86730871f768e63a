"""Incoming messages: validated, deduplicated, and started or routed to their running case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.forms.schemas import REQUIRED
from engine.instances import AdvanceResult, advance, start_instance
from engine.models import Message, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.versions import active_version

REPEAT_MESSAGE = "repeat_message"
CHANNELS = ("feed", "private", "comment")


class InvalidMessage(ValueError):
    """An incoming message refused, with messages per field."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(f"invalid incoming message: {errors}")
        self.errors = errors


class DuplicateMessage(Exception):
    """A message already received (same source and external id); points at its case."""

    def __init__(self, message: Message) -> None:
        super().__init__(
            f"message {message.source}:{message.external_id} was already received "
            f"(message {message.id}, case {message.instance_id})"
        )
        # Plain values: the refused transaction rolls back and its objects expire.
        self.message_id = message.id
        self.instance_id = message.instance_id


class IncomingMessageSchema(Schema):
    """What every source must deliver about a message."""

    municipality = fields.String(required=True, error_messages=REQUIRED)
    source = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(1, 64))
    external_id = fields.String(
        required=True, error_messages=REQUIRED, validate=validate.Length(1, 256)
    )
    channel = fields.String(load_default="feed", validate=validate.OneOf(CHANNELS))
    official_page = fields.Boolean(load_default=False)
    author = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(1))
    author_id = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(1))
    text = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(1))
    url = fields.Url(load_default=None)
    thread_id = fields.String(load_default=None)
    received_at = fields.AwareDateTime(required=True, error_messages=REQUIRED)
    payload = fields.Dict(load_default=dict)

    class Meta:
        unknown = "raise"

    @validates("received_at")
    def _aware(self, value: datetime, **_: Any) -> None:
        if value.tzinfo is None:
            raise ValidationError("Нужны дата и время с часовым поясом.")


@dataclass
class Intake:
    """What happened to an incoming message: a new case, or a repeat in a running one."""

    message: Message
    result: AdvanceResult
    repeat: bool


def correlation_key(data: dict[str, Any]) -> str:
    """Same author, same question (thread): the key a repeat message is routed by."""
    thread = data.get("thread_id") or data["external_id"]
    return f"{data['municipality']}|{data['source']}|{data['author_id']}|{thread}"


def receive_message(
    session: Session, runtime: Runtime, incoming: dict[str, Any], actor: str
) -> Intake:
    """Register a message; start its case or deliver it to the author's running case."""
    try:
        data = IncomingMessageSchema().load(incoming)
    except ValidationError as error:
        raise InvalidMessage(error.normalized_messages()) from error
    existing = session.scalar(
        select(Message).where(
            Message.source == data["source"], Message.external_id == data["external_id"]
        )
    )
    if existing is not None:
        raise DuplicateMessage(existing)
    key = correlation_key(data)
    data.pop("thread_id")
    message = Message(**data, correlation_key=key)
    session.add(message)
    session.flush()
    running = session.scalar(
        select(ProcessInstance.id)
        .where(
            ProcessInstance.correlation_key == key,
            ProcessInstance.status == InstanceStatus.RUNNING,
        )
        .order_by(ProcessInstance.id)
    )
    if running is None:
        version = active_version(session, message.municipality)
        return Intake(message, start_instance(session, runtime, version, message, actor), False)
    return Intake(message, deliver_repeat(session, runtime, running, message, actor), True)


def deliver_repeat(
    session: Session, runtime: Runtime, instance_id: int, message: Message, actor: str
) -> AdvanceResult:
    """Hand a repeat message to its running case as the BPMN message `repeat_message`."""
    message.instance_id = instance_id
    payload = {
        "id": message.id,
        "text": message.text,
        "author": message.author,
        "url": message.url,
        "received_at": message.received_at.isoformat(),
    }

    def catch(workflow: BpmnWorkflow) -> None:
        definition = MessageEventDefinition(REPEAT_MESSAGE)
        workflow.catch(BpmnEvent(definition, payload))

    audit.record(
        session,
        AuditKind.MESSAGE_CORRELATED,
        runtime.clock.now(),
        actor,
        instance_id=instance_id,
        message_id=message.id,
    )
    return advance(session, runtime, instance_id, actor, catch)
