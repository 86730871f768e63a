"""VK API 5.199: wall.createComment (a comment's answer) and messages.send (a community chat)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.publishing.channels import Outgoing, json_of, post, register, token_key
from adapters.publishing.errors import Delivered, PermanentError, TransientError
from adapters.publishing.rate import per_second
from adapters.publishing.settings import PublishSettings

API_VERSION = "5.199"
# VK's error codes worth another try: unknown, too many requests per second, flood control,
# internal error. Every other code (5 revoked token, 15/212 access denied, 100 bad parameter,
# 18 deleted...) is final.
TRANSIENT_CODES = frozenset({1, 6, 9, 10})
# Uploading a photo for a wall comment (photos.getWallUploadServer) needs a user's token; a
# community token cannot, so the answer goes as text and the card tells the curator.
PHOTOS_BY_HAND = (
    "ВКонтакте: фотографии не отправлены (загрузка фото на стену требует ключа пользователя, "
    "а не сообщества) — добавьте их к ответу вручную."
)


class VkPublisher:
    """Answers under the post (replying to the comment) or in the community's chat."""

    idempotent = True  # `guid` and `random_id` make VK drop a resend of the same answer

    def __init__(self, client: httpx.Client, settings: PublishSettings) -> None:
        self.client, self.base = client, settings.base_urls["vk"]
        self.limiter = per_second(settings.vk_per_second)  # per community token

    def send(self, outgoing: Outgoing) -> Delivered:
        """Call the method the address needs and read the new comment's or message's id."""
        where = outgoing.address
        method, params = (
            ("wall.createComment", _comment(outgoing))
            if "post_id" in where
            else ("messages.send", _message(outgoing))
        )
        params.update(access_token=outgoing.token, v=API_VERSION)
        self.limiter.wait(token_key(outgoing.token))
        body = json_of(post(self.client, f"{self.base}/method/{method}", data=params))
        if "error" in body:
            raise _error(body["error"])
        answer = body.get("response")
        note = PHOTOS_BY_HAND if outgoing.photos else None
        if method == "messages.send":
            return Delivered(str(answer), None, note)
        if not isinstance(answer, dict) or "comment_id" not in answer:
            raise TransientError("VK: в ответе нет comment_id")
        comment = answer["comment_id"]
        link = f"https://vk.com/wall{where['owner_id']}_{where['post_id']}?reply={comment}"
        if where.get("comment_id"):
            link += f"&thread={where['comment_id']}"
        return Delivered(str(comment), link, note)


def _comment(outgoing: Outgoing) -> dict[str, Any]:
    where = outgoing.address
    params: dict[str, Any] = {
        "owner_id": where["owner_id"],
        "post_id": where["post_id"],
        "message": outgoing.text,
        "guid": outgoing.idempotency_key,
    }
    if where["owner_id"] < 0:
        # API 5.199 takes the community's id here (its schema: "Group ID"), not the 0/1 flag of
        # wall.post: the answer is signed by the community whose wall it is.
        params["from_group"] = -where["owner_id"]
    if where.get("comment_id"):
        params["reply_to_comment"] = where["comment_id"]
    return params


def _message(outgoing: Outgoing) -> dict[str, Any]:
    # random_id: VK sends a message with the same random_id to a peer only once.
    return {
        "peer_id": outgoing.address["peer_id"],
        "message": outgoing.text,
        "random_id": outgoing.id,
    }


def _error(error: Any) -> Exception:
    code = error.get("error_code") if isinstance(error, dict) else None
    text = error.get("error_msg", "") if isinstance(error, dict) else str(error)
    if code in TRANSIENT_CODES:
        return TransientError(f"VK {code}: {text}")
    return PermanentError(f"VK отказал ({code}): {text}")


register("vk")(VkPublisher)
