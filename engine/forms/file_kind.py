"""Uploaded files on a step (photos, documents): the value is the files' content hashes.

The browser uploads the bytes (web/attachments.py); the engine stores them by hash
(engine/attachments) and the form's value lists those hashes, which the case's rows resolve.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from marshmallow import ValidationError, fields

from engine.forms.kinds import FormContext, Kind, Say, count, register_kind, unless_empty
from engine.forms.spec import FieldSpec

HASH = re.compile(r"[0-9a-f]{64}")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


@register_kind
class Files(Kind):
    """Files uploaded on the step: photos or PDF documents, with min/max counts."""

    name = "files"
    options = frozenset({"min", "max"})
    messages: ClassVar[dict[str, str]] = {
        **Kind.messages,
        "required": "Приложите файл.",
        "invalid": "Неверная ссылка на файл дела.",
        "min": "Приложите не меньше {min} файлов.",
        "max": "Можно приложить не больше {max} файлов.",
    }
    empty: ClassVar[Any] = []
    list_valued = True
    media_types: ClassVar[tuple[str, ...]] = (*PHOTO_TYPES, "application/pdf")

    def field(self, spec: FieldSpec, context: FormContext, say: Say, base: dict[str, Any]) -> Any:
        def hashes(values: list[str]) -> None:
            if any(not HASH.fullmatch(value) for value in values):
                raise ValidationError(say("invalid"))

        return fields.List(
            fields.String(), validate=[unless_empty(hashes), count(spec, say)], **base
        )


@register_kind
class Photos(Files):
    """Photos only (Perm 3.4, Palana 14: the answer shows what was done)."""

    name = "photos"
    messages: ClassVar[dict[str, str]] = {
        **Files.messages,
        "required": "Приложите фотографии.",
        "min": "Приложите не меньше {min} фотографий.",
        "max": "Можно приложить не больше {max} фотографий.",
    }
    media_types = PHOTO_TYPES
