"""Channel webhooks: `POST /channels/<channel>/<municipality>`, no sign-in, no CSRF token.

Each adapter checks its channel's own secret instead (adapters/registry.py); it owns its
transaction, so this view touches no database session itself.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from adapters.channel import MAX_BODY_BYTES, Context, Refusal, WebhookRequest
from adapters.registry import WEBHOOKS
from engine.municipalities import is_known
from web import db
from web.extensions import csrf

bp = Blueprint("channels", __name__)
log = logging.getLogger("reglament.web.channels")


@bp.route("/channels/<channel>/<municipality>", methods=["POST"])
@csrf.exempt
def webhook(channel: str, municipality: str) -> ResponseReturnValue:
    """Hand the delivery to its channel's adapter; a refusal is answered with its reason."""
    handler = WEBHOOKS.get(channel)
    if handler is None or not is_known(municipality, db.runtime().processes_dir):
        return _plain("Нет такого канала или муниципалитета.", 404)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _plain(f"Тело запроса больше {MAX_BODY_BYTES} байт.", 413)
    delivery = WebhookRequest(
        municipality=municipality,
        body=request.get_data(cache=False),
        headers={name.lower(): value for name, value in request.headers.items()},
        remote_addr=request.remote_addr,
    )
    context = Context(sessions=db.sessions(), runtime=db.runtime())
    try:
        answer = handler(context, delivery)
    except Refusal as refusal:
        log.warning("%s %s refused (%s): %s", channel, municipality, refusal.status, refusal)
        return _plain(refusal.reason, refusal.status)
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    return response


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8")
