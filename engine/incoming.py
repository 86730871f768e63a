"""What an incoming message must be: every field checked before the database sees it."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from engine.forms.schemas import CHOICE, REQUIRED, check_characters
from engine.municipalities import is_known
from engine.queries import municipality_settings
from engine.runtime import Runtime

CHANNELS = ("feed", "private", "comment")
# Column lengths of engine/models/instance.py: a longer value is refused here, not by the
# database (PostgreSQL raises DataError on an over-long varchar).
MAX_MUNICIPALITY = 64
MAX_SOURCE = 64
MAX_EXTERNAL_ID = 256
MAX_AUTHOR = 256
MAX_URL = 1024
MAX_THREAD_ID = 256
# The payload is the source's extra facts for the diagram (`message.page`...), not a document.
MAX_PAYLOAD_KEYS = 64
MAX_PAYLOAD_KEY = 64
MAX_PAYLOAD_DEPTH = 4
MAX_PAYLOAD_CHARS = 16384

STRING_ERRORS = {
    **REQUIRED,
    "invalid": "Нужна строка.",
    "invalid_utf8": "Недопустимые символы (не UTF-8).",
}
TOO_LONG = "Не длиннее {max} символов."
BLANK = "Поле не может состоять из одних пробелов."


def _not_blank(value: str) -> None:
    if not value:
        raise ValidationError(REQUIRED["required"])
    if not value.strip():
        raise ValidationError(BLANK)


def _string(
    length: int | None, *, required: bool = True, blank: bool = False, **options: Any
) -> fields.String:
    rules: list[Any] = [check_characters]
    if length is not None:
        rules.append(validate.Length(max=length, error=TOO_LONG))
    if not blank:
        rules.append(_not_blank)
    return fields.String(required=required, error_messages=STRING_ERRORS, validate=rules, **options)


def check_payload(value: Any, depth: int = 0) -> None:
    """JSON values only (string keys, finite numbers), NUL-free, shallow and small."""
    if depth > MAX_PAYLOAD_DEPTH:
        raise ValidationError(f"Вложенность не глубже {MAX_PAYLOAD_DEPTH} уровней.")
    if isinstance(value, dict):
        if depth == 0 and len(value) > MAX_PAYLOAD_KEYS:
            raise ValidationError(f"Не больше {MAX_PAYLOAD_KEYS} ключей.")
        for key, item in value.items():
            if not isinstance(key, str) or not 0 < len(key) <= MAX_PAYLOAD_KEY:
                raise ValidationError(f"Ключи — строки от 1 до {MAX_PAYLOAD_KEY} символов.")
            check_characters(key)
            check_payload(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_payload(item, depth + 1)
    elif isinstance(value, str):
        check_characters(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("Числа должны быть конечными.")
    elif not (value is None or isinstance(value, bool | int | float)):
        raise ValidationError("Допустимы только строки, числа, да/нет, списки и словари.")
    if depth == 0 and len(_json(value)) > MAX_PAYLOAD_CHARS:
        raise ValidationError(f"Не больше {MAX_PAYLOAD_CHARS} символов в JSON.")


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:  # an int of thousands of digits
        raise ValidationError("Слишком большое число.") from None


class IncomingMessageSchema(Schema):
    """What every source must deliver about a message, checked against the runtime's limits."""

    error_messages = {  # noqa: RUF012  (marshmallow reads this class attribute)
        "unknown": "Неизвестное поле.",
        "type": "Неверные данные сообщения: нужен словарь полей.",
    }

    municipality = _string(MAX_MUNICIPALITY)
    source = _string(MAX_SOURCE)
    external_id = _string(MAX_EXTERNAL_ID)
    channel = fields.String(
        load_default="feed",
        error_messages=STRING_ERRORS,
        validate=validate.OneOf(CHANNELS, error=CHOICE),
    )
    official_page = fields.Boolean(
        load_default=False, error_messages={**REQUIRED, "invalid": "Укажите «да» или «нет»."}
    )
    author = _string(MAX_AUTHOR)
    author_id = _string(MAX_AUTHOR)
    text = _string(None)  # its length is a setting: see _text_fits
    url = fields.Url(
        load_default=None,
        schemes={"http", "https"},
        error_messages={
            **STRING_ERRORS,
            "invalid": "Укажите правильную ссылку (http:// или https://).",
        },
        validate=[check_characters, validate.Length(max=MAX_URL, error=TOO_LONG)],
    )
    thread_id = _string(MAX_THREAD_ID, required=False, blank=True, load_default=None)
    received_at = fields.AwareDateTime(
        required=True,
        error_messages={
            **REQUIRED,
            "invalid": "Укажите дату и время (ISO 8601).",
            "invalid_awareness": "Нужны дата и время с часовым поясом.",
        },
    )
    payload = fields.Dict(
        load_default=dict,
        error_messages={**REQUIRED, "invalid": "Нужен словарь значений."},
        validate=check_payload,
    )

    class Meta:
        unknown = "raise"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime

    @validates("municipality")
    def _known(self, value: str, **_: Any) -> None:
        if not is_known(value, self.runtime.processes_dir):
            raise ValidationError(f"Неизвестный муниципалитет «{value}».")

    @validates("text")
    def _text_fits(self, value: str, **_: Any) -> None:
        limit = self.runtime.intake.max_text
        if len(value) > limit:
            raise ValidationError(TOO_LONG.format(max=limit))

    @validates("received_at")
    def _recent(self, value: datetime, **_: Any) -> None:
        # The window follows the injected clock, so a scenario's «now» decides, not the wall's.
        limits = self.runtime.intake
        now = self.runtime.clock.now()
        if value < now - timedelta(days=limits.max_age_days):
            raise ValidationError(
                f"Дата больше чем на {limits.max_age_days} дн. в прошлом: проверьте дату."
            )
        if value > now + timedelta(minutes=limits.max_future_minutes):
            raise ValidationError(
                f"Дата больше чем на {limits.max_future_minutes} мин. в будущем: "
                "проверьте дату и часовой пояс."
            )

    @validates_schema(skip_on_field_errors=False)
    def _configured_source(self, data: dict[str, Any], **_: Any) -> None:
        municipality, source = data.get("municipality"), data.get("source")
        if municipality is None or source is None:
            return  # already reported on its own field
        if not is_known(municipality, self.runtime.processes_dir):
            return
        accepted = municipality_settings(municipality, self.runtime.processes_dir).sources
        if source not in accepted:
            raise ValidationError(
                f"Источник «{source}» не принимается; допустимы: {', '.join(accepted)}.",
                "source",
            )
