"""Messages and text rules shared by the step forms and message intake (engine/incoming.py).

The step forms themselves are declared data: engine/forms/library.yaml and each forms.yaml.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

REQUIRED: dict[str, Any] = {"required": "Обязательное поле.", "null": "Обязательное поле."}
CHOICE = "Выберите одно из значений: {choices}."
NUL = "Нулевой символ (NUL) недопустим."
SURROGATE = "Недопустимые символы (некорректный Юникод)."
# Answers are text; photos and documents travel as links (attachments), not inside the state.
MAX_FORM_TEXT = 65536


def check_characters(value: str) -> None:
    """Refuse NUL (PostgreSQL text cannot hold it) and lone surrogates (not encodable)."""
    if "\x00" in value:
        raise ValidationError(NUL)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(SURROGATE) from None


def text_problem(value: Any) -> str | None:
    """Why a submitted string cannot be kept (NUL, bad Unicode, too long), or None."""
    if not isinstance(value, str):
        return None
    if len(value) > MAX_FORM_TEXT:
        return f"Не длиннее {MAX_FORM_TEXT} символов."
    try:
        check_characters(value)
    except ValidationError as error:
        return str(error.messages[0])
    return None
