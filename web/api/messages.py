"""POST /api/messages: an integration delivers a message; `Idempotency-Key` makes retries safe."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from flask_smorest import Blueprint

from engine.api_tokens import remember, remembered, request_hash
from engine.intake import DuplicateMessage, InvalidMessage, receive_message
from engine.versions import NoActiveVersion
from web import db
from web.api.auth import current, require_token
from web.api.problems import problem
from web.api.schemas import MessageCreatedSchema, ProblemSchema

blp = Blueprint("Messages", __name__, url_prefix="/api", description="Incoming messages")
blp.before_request(require_token)
MAX_KEY = 256
KEY_HEADER = "Idempotency-Key"


@blp.route("/messages", methods=["POST"])
@blp.doc(
    summary="Register an incoming message",
    parameters=[
        {
            "in": "header",
            "name": KEY_HEADER,
            "schema": {"type": "string", "maxLength": MAX_KEY},
            "description": "The same key and body again answers the first response again.",
        }
    ],
    requestBody={"required": True, "content": {"application/json": {"schema": "IncomingMessage"}}},
)
@blp.response(201, MessageCreatedSchema)
@blp.alt_response(401, schema=ProblemSchema, description="No live token")
@blp.alt_response(403, schema=ProblemSchema, description="Another municipality")
@blp.alt_response(409, schema=ProblemSchema, description="Already received (same source and id)")
@blp.alt_response(422, schema=ProblemSchema, description="Field messages in `errors`")
def create() -> Any:
    """The engine's intake validates every field; a duplicate points at its case."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "Тело запроса — JSON-объект с полями сообщения.")
    integration = current()
    if body.setdefault("municipality", integration.municipality) != integration.municipality:
        return problem(403, "Токен выдан для другого муниципалитета.")
    key = request.headers.get(KEY_HEADER)
    if key is not None and not 0 < len(key.strip()) <= MAX_KEY:
        return problem(422, errors={KEY_HEADER: [f"От 1 до {MAX_KEY} символов."]})
    fingerprint = request_hash(body)
    if key is not None:
        replay = _replay(integration.token_id, key, fingerprint)
        if replay is not None:
            return replay
    return _register(body, key, fingerprint)


def _replay(token_id: int, key: str, fingerprint: str) -> Response | None:
    earlier = remembered(db.session(), token_id, key)
    if earlier is None:
        return None
    if earlier.request_hash != fingerprint:
        return problem(
            422,
            errors={KEY_HEADER: ["Ключ уже использован с другим телом запроса."]},
        )
    response = Response(
        json.dumps(earlier.response), earlier.status_code, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _register(body: dict[str, Any], key: str | None, fingerprint: str) -> Any:
    integration = current()
    try:
        intake = receive_message(db.session(), db.runtime(), body, integration.viewer.login)
    except InvalidMessage as error:
        return problem(422, errors=error.errors)
    except DuplicateMessage as duplicate:
        return problem(
            409,
            "Сообщение с этим источником и внешним id уже получено.",
            message_id=duplicate.message_id,
            case_id=duplicate.instance_id,
        )
    except NoActiveVersion as error:
        return problem(422, str(error))
    created = {
        "message_id": intake.message.id,
        "case_id": intake.result.instance.id,
        "repeat": intake.repeat,
    }
    if key is not None:
        now = db.runtime().clock.now()
        if not remember(db.session(), integration.token_id, key, fingerprint, 201, created, now):
            db.session().rollback()  # a simultaneous request with the key won: answer as it did
            return _replay(integration.token_id, key, fingerprint) or problem(409)
    return created, 201
