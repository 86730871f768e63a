"""Incoming messages: validated, deduplicated, and started or routed to their running case."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from marshmallow import ValidationError
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from engine import audit
from engine.inbox.roster import REVISION as STAFF_REVISION
from engine.inbox.roster import note_revision
from engine.incoming import CHANNELS, IncomingMessageSchema
from engine.instances import AdvanceResult, advance, new_instance, start_instance
from engine.linked import REPEAT_AT_STEP, linked_data, open_steps, thread_cases
from engine.models import Message, ProcessInstance, StaffRevision
from engine.models.staff_revision import ROW_ID
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.timers import all_tasks
from engine.versioning.activation import starting_version_id
from engine.versions import NoActiveVersion

__all__ = [
    "CHANNELS",
    "DuplicateMessage",
    "Intake",
    "InvalidMessage",
    "correlation_key",
    "deliver_repeat",
    "receive_message",
]

REPEAT_MESSAGE = "repeat_message"
MAX_KEY = 512  # process_instances.correlation_key


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


@dataclass
class Intake:
    """What happened to an incoming message: a new case, or a repeat in a running one."""

    message: Message
    result: AdvanceResult
    repeat: bool
    linked_to: int | None = None  # the earlier closed case a new case continues


def correlation_key(data: dict[str, Any]) -> str:
    """Same author, same question (thread): the key a repeat message is routed by."""
    thread = data.get("thread_id") or data["external_id"]
    key = f"{data['municipality']}|{data['source']}|{data['author_id']}|{thread}"
    if len(key) <= MAX_KEY:
        return key
    # Long ids would overflow the column: keep a readable head, let a digest tell them apart.
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: MAX_KEY - len(digest) - 1]}#{digest}"


def receive_message(
    session: Session, runtime: Runtime, incoming: dict[str, Any], actor: str
) -> Intake:
    """Register a message; start its case or deliver it to the author's running case."""
    data = _validated(runtime, incoming)
    key = correlation_key(data)
    municipality = data["municipality"]
    starting_id = lock_correlation(session, key, municipality, runtime.clock.now())
    cases = thread_cases(session, key)
    data.pop("thread_id")
    if cases.running_id is not None:
        message = _insert(session, data, key, cases.running_id)
        repeat = deliver_repeat(session, runtime, cases.running_id, message, actor)
        return Intake(message, repeat, True)
    # Refused before anything is written: a municipality with no regulation to start on.
    version_id = _version_for(session, data, starting_id)
    # The case's row comes first, so the message is stored with its case in one statement.
    now = runtime.clock.now()
    instance = new_instance(
        session, version_id, municipality, key, now, linked_to_id=cases.closed_id
    )
    try:
        message = _insert(session, data, key, instance.id)
    except DuplicateMessage:
        session.delete(instance)  # a refused message leaves nothing behind
        session.flush()
        raise
    if cases.closed_id is None:
        result = start_instance(session, runtime, message, instance, actor)
        return Intake(message, result, False)
    # Palana п. 13: a repeat after the case closed is a new case, linked to the earlier one.
    earlier = session.get_one(ProcessInstance, cases.closed_id)
    extra = linked_data(session, earlier)
    result = start_instance(session, runtime, message, instance, actor, extra_data=extra)
    return Intake(message, result, False, linked_to=earlier.id)


def _version_for(session: Session, data: dict[str, Any], starting_id: int | None) -> int:
    """The version a new case starts on; a message stored before is a duplicate all the same."""
    if starting_id is not None:
        return starting_id
    existing = _received(session, data["source"], data["external_id"])
    if existing is not None:
        raise DuplicateMessage(existing)
    raise NoActiveVersion(data["municipality"])


def _validated(runtime: Runtime, incoming: Any) -> dict[str, Any]:
    try:
        data: dict[str, Any] = IncomingMessageSchema(runtime).load(incoming)
    except ValidationError as error:
        raise InvalidMessage(error.normalized_messages()) from error
    return data


def _received(session: Session, source: str, external_id: str) -> Message | None:
    return session.scalar(
        select(Message).where(Message.source == source, Message.external_id == external_id)
    )


def _insert(session: Session, data: dict[str, Any], key: str, instance_id: int) -> Message:
    """Insert the message once: a twin stored earlier, or committed first, makes a duplicate.

    ON CONFLICT DO NOTHING leaves the transaction usable (no savepoint), and a concurrent
    twin's insert waits for the first to commit, then inserts nothing.
    """
    statement = _INSERT_MESSAGE[session.get_bind().dialect.name]
    values = {**data, "correlation_key": key, "instance_id": instance_id}
    message = session.scalar(statement, values)
    if message is None:
        winner = _received(session, data["source"], data["external_id"])
        if winner is None:
            raise LookupError(f"message {data['source']}/{data['external_id']} not stored")
        raise DuplicateMessage(winner)
    return message


_INSERTS: dict[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
# Built once per dialect (every intake runs one): the message's values are its parameters.
_INSERT_MESSAGE = {
    name: insert(Message).on_conflict_do_nothing().returning(Message)
    for name, insert in _INSERTS.items()
}


def lock_correlation(session: Session, key: str, municipality: str, now: datetime) -> int | None:
    """Serialise intake per correlation key until the transaction ends.

    The lock's statement also reads the staff's revision, as a case's lock does
    (engine/instances.py), and the id of the version a new case of `municipality` would start
    on at `now` (None when none is active): no statement of its own for either.
    """
    dialect = session.get_bind().dialect.name
    statement, params = _INTAKE_LOCKS.get(dialect, _write_lock)(key)
    row = session.execute(statement, {**params, "municipality": municipality, "now": now}).one()
    note_revision(session, row.staff_revision)
    starting_id: int | None = row.starting_version_id
    return starting_id


def _advisory_lock(key: str) -> tuple[Executable, dict[str, Any]]:
    # Two messages of one thread wait here for each other, so the second sees the first's case.
    # The version is read in the statement's snapshot, taken before the wait: the version of
    # the moment the message came (a switch committed while it waited applies to the next one).
    return _ADVISORY_LOCK, {"lock_id": key_hash(key)}


def _write_lock(_key: str) -> tuple[Executable, dict[str, Any]]:
    # SQLite has one writer: a no-op UPDATE takes the write lock before the running-case read,
    # so a concurrent intake waits (busy_timeout) instead of reading a stale «no case yet».
    return _NO_OP_UPDATE, {}


_STARTING = starting_version_id().label("starting_version_id")
_ADVISORY_LOCK = select(STAFF_REVISION, func.pg_advisory_xact_lock(bindparam("lock_id")), _STARTING)
# A Core statement on the staff's revision row (it writes the value it holds), built once.
_REVISION_ROW = cast(Table, StaffRevision.__table__)
_NO_OP_UPDATE = (
    update(_REVISION_ROW)
    .where(_REVISION_ROW.c.id == ROW_ID)
    .values(revision=_REVISION_ROW.c.revision)
    .returning(_REVISION_ROW.c.revision.label("staff_revision"), _STARTING)
)


_INTAKE_LOCKS: dict[str, Callable[[str], tuple[Executable, dict[str, Any]]]] = {
    "postgresql": _advisory_lock,
    "sqlite": _write_lock,
}


def key_hash(key: str) -> int:
    """A stable signed 64-bit hash of a correlation key (PostgreSQL's advisory lock id)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def deliver_repeat(
    session: Session, runtime: Runtime, instance_id: int, message: Message, actor: str
) -> AdvanceResult:
    """Hand a repeat message to its running case as the BPMN message `repeat_message`."""
    message.instance_id = instance_id
    # The diagram tells at which step the repeat arrived: the case's open steps, oldest first.
    steps = open_steps(session, instance_id)
    payload = {
        "id": message.id,
        "text": message.text,
        "author": message.author,
        "url": message.url,
        "received_at": message.received_at.isoformat(),
        "arrived_at_step": steps[0] if steps else None,
        "arrived_at_steps": steps,
    }

    def catch(workflow: BpmnWorkflow) -> None:
        definition = MessageEventDefinition(REPEAT_MESSAGE)
        workflow.catch(BpmnEvent(definition, payload))
        # Case data too, so the path the catch readied (and any other) reads it by name; a
        # started task too: a multi-instance parent passes only its own data on (Palana п. 13:
        # a repeat during drafting keeps the drafts already submitted and reaches the review).
        workflow.data[REPEAT_AT_STEP] = payload["arrived_at_step"]
        live = TaskState.READY | TaskState.WAITING | TaskState.STARTED
        for task in all_tasks(workflow, live):
            task.data[REPEAT_AT_STEP] = payload["arrived_at_step"]

    audit.record(
        session,
        AuditKind.MESSAGE_CORRELATED,
        runtime.clock.now(),
        actor,
        instance_id=instance_id,
        message_id=message.id,
    )
    return advance(session, runtime, instance_id, actor, catch)
