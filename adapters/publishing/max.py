"""MAX Bot API: POST /messages (a chat or a user) or the post's comments, photos uploaded first.

A photo goes through MAX's upload flow: `POST /uploads?type=image` gives an upload URL, the file
is posted there as multipart `data`, and the token it answers is the message's `image`
attachment. A comment under a channel's post is answered with `POST /messages/{post}/comments`.
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.publishing.channels import Outgoing, Photo, json_of, post, register, token_key
from adapters.publishing.errors import Delivered, PermanentError, TransientError
from adapters.publishing.rate import per_second
from adapters.publishing.settings import PublishSettings

NOT_READY = "attachment.not.ready"  # MAX is still processing an uploaded file: try again soon
NOT_READY_WAIT = 5.0


class MaxPublisher:
    """Sends the answer with a reply link to the author's message, and its photos."""

    # No idempotency key in the API: see TelegramPublisher. Uploads post nothing, so a retry
    # that uploads the photos again is harmless; only the message itself is sent once.
    idempotent = False

    def __init__(self, client: httpx.Client, settings: PublishSettings) -> None:
        self.client, self.base = client, settings.base_urls["max"]
        self.limiter = per_second(settings.max_per_second)

    def send(self, outgoing: Outgoing) -> Delivered:
        """Upload the photos, then POST the message (or the comment) with them attached."""
        where = outgoing.address
        body: dict[str, Any] = {"text": outgoing.text}
        if where.get("mid"):
            body["link"] = {"type": "reply", "mid": where["mid"]}
        attachments = [self._upload(outgoing, photo) for photo in outgoing.photos]
        if attachments:
            body["attachments"] = attachments
        if where.get("post_mid"):
            url, params = f"{self.base}/messages/{where['post_mid']}/comments", {}
        else:
            url = f"{self.base}/messages"
            params = (
                {"chat_id": where["chat_id"]}
                if "chat_id" in where
                else {"user_id": where["user_id"]}
            )
        answer = self._call(outgoing, url, params=params, json=body)
        message = answer.get("message") or answer.get("comment") or {}
        mid = (message.get("body") or {}).get("mid")
        if not mid:
            raise TransientError("MAX: в ответе нет mid")
        return Delivered(str(mid), message.get("url"))

    def _upload(self, outgoing: Outgoing, photo: Photo) -> dict[str, Any]:
        """One photo through the upload URL; its `image` attachment for the message."""
        slot = self._call(outgoing, f"{self.base}/uploads", params={"type": "image"})
        target = slot.get("url")
        if not isinstance(target, str) or not target.startswith(("https://", "http://")):
            raise TransientError("MAX: нет адреса загрузки")
        # The upload URL is signed by MAX; the bot's token is not sent to it.
        files = {"data": (photo.filename, photo.content(), photo.media_type)}
        uploaded = json_of(post(self.client, target, files=files))
        token = uploaded.get("token") or _first_photo_token(uploaded)
        if not token:
            raise TransientError("MAX: загрузка не вернула token")
        return {"type": "image", "payload": {"token": token}}

    def _call(self, outgoing: Outgoing, url: str, **options: Any) -> dict[str, Any]:
        self.limiter.wait(token_key(outgoing.token))
        response = post(self.client, url, headers={"Authorization": outgoing.token}, **options)
        answer = json_of(response)
        if response.status_code >= 400:
            if answer.get("code") == NOT_READY:
                raise TransientError("MAX: фотография ещё обрабатывается", NOT_READY_WAIT)
            raise PermanentError(f"MAX отказал ({response.status_code}): {answer.get('message')}")
        return answer


def _first_photo_token(uploaded: dict[str, Any]) -> str | None:
    photos = uploaded.get("photos")
    if isinstance(photos, dict):
        for item in photos.values():
            if isinstance(item, dict) and isinstance(item.get("token"), str):
                return str(item["token"])
    return None


register("max")(MaxPublisher)
