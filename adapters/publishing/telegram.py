"""Telegram Bot API: the answer with reply_parameters, as text or with its photos.

No photos: sendMessage. One photo: sendPhoto with the answer as its caption; two to ten:
sendMediaGroup, the caption on the first. An answer longer than a caption (1024 characters) goes
as sendMessage first, its photos after it as a reply to it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from adapters.publishing.channels import Outgoing, Photo, json_of, post, register
from adapters.publishing.errors import Delivered, PermanentError, TransientError
from adapters.publishing.rate import RateLimiter
from adapters.publishing.settings import PublishSettings

CAPTION_LIMIT = 1024  # characters of a photo's caption
MEDIA_GROUP_MAX = 10  # photos in one album


class TelegramPublisher:
    """Replies to the author's message in its chat, about one message per second per chat."""

    # The Bot API has no idempotency key: a send interrupted by a crash is not repeated blindly
    # (the curator checks the chat), so an answer is never posted twice.
    idempotent = False

    def __init__(self, client: httpx.Client, settings: PublishSettings) -> None:
        self.client, self.base = client, settings.base_urls["telegram"]
        self.limiter = RateLimiter(1, settings.telegram_chat_interval_seconds)

    def send(self, outgoing: Outgoing) -> Delivered:
        """The text, the photos with it as caption, or the text and then the photos."""
        photos = outgoing.photos[:MEDIA_GROUP_MAX]
        reply_to = outgoing.address.get("message_id")
        if not photos:
            return self._message(outgoing, reply_to)
        if len(outgoing.text) <= CAPTION_LIMIT:
            return self._photos(outgoing, photos, outgoing.text, reply_to)
        first = self._message(outgoing, reply_to)
        try:
            self._photos(outgoing, photos, None, int(first.external_id))
        except (TransientError, PermanentError) as error:
            # The text is out: retrying would post it twice, so the photos are the curator's.
            note = f"Фотографии не отправлены ({error}): добавьте их вручную."
            return Delivered(first.external_id, first.url, note)
        return first

    def _message(self, outgoing: Outgoing, reply_to: Any) -> Delivered:
        body: dict[str, Any] = {"chat_id": outgoing.address["chat_id"], "text": outgoing.text}
        if reply_to:
            body["reply_parameters"] = {"message_id": reply_to}
        return _delivered(self._call(outgoing, "sendMessage", json=body))

    def _photos(
        self, outgoing: Outgoing, photos: tuple[Photo, ...], caption: str | None, reply_to: Any
    ) -> Delivered:
        form: dict[str, Any] = {"chat_id": str(outgoing.address["chat_id"])}
        if reply_to:
            form["reply_parameters"] = json.dumps({"message_id": reply_to})
        if len(photos) == 1:
            if caption:
                form["caption"] = caption
            files = {"photo": (photos[0].filename, photos[0].content(), photos[0].media_type)}
            return _delivered(self._call(outgoing, "sendPhoto", data=form, files=files))
        media = [
            {"type": "photo", "media": f"attach://photo{number}"} for number in range(len(photos))
        ]
        if caption:
            media[0]["caption"] = caption
        form["media"] = json.dumps(media, ensure_ascii=False)
        files = {
            f"photo{number}": (photo.filename, photo.content(), photo.media_type)
            for number, photo in enumerate(photos)
        }
        return _delivered(self._call(outgoing, "sendMediaGroup", data=form, files=files))

    def _call(self, outgoing: Outgoing, method: str, **options: Any) -> Any:
        self.limiter.wait(str(outgoing.address["chat_id"]))
        url = f"{self.base}/bot{outgoing.token}/{method}"
        # post() names only the error's type, never the URL that carries the token.
        answer = json_of(post(self.client, url, **options))
        if not answer.get("ok"):
            raise PermanentError(f"Telegram отказал: {answer.get('description', '')}")
        return answer.get("result")


def _delivered(result: Any) -> Delivered:
    first = (result[0] if result else {}) if isinstance(result, list) else result or {}
    return Delivered(str(first.get("message_id")), _link(first))


def _link(result: dict[str, Any]) -> str | None:
    chat = result.get("chat") or {}
    number = result.get("message_id")
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{number}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):  # a supergroup without a public name
        return f"https://t.me/c/{chat_id[4:]}/{number}"
    return None


register("telegram")(TelegramPublisher)
