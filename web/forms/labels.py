"""Labels staff read for sources and channels (English msgids); form labels live in the forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SOURCE_LABELS = {
    "vk": _l("VKontakte"),
    "ok": _l("Odnoklassniki"),
    "telegram": _l("Telegram"),
    "max": _l("MAX messenger"),
    "incident_manager": _l("Incident Manager"),
    "feedback_platform": _l("Feedback Platform"),
    "manual": _l("Manual monitoring"),
}

CHANNEL_LABELS = {
    "feed": _l("Feed"),
    "private": _l("Private message"),
    "comment": _l("Comment"),
}

# Messages marshmallow writes in English; listed so the catalog translates them.
MARSHMALLOW_MESSAGES = (
    _l("Not a valid URL."),
    _l("Not a valid string."),
    _l("Not a valid boolean."),
    _l("Not a valid datetime."),
    _l("Not a valid list."),
    _l("Unknown field."),
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Length must be between 1 and 64."),
)


def source_label(value: str) -> str:
    """A message source's name."""
    return str(SOURCE_LABELS.get(value, value))


def source_names() -> dict[str, str]:
    """Every source's name, translated once (a list of rows looks each up in this)."""
    return {value: str(label) for value, label in SOURCE_LABELS.items()}


def channel_label(value: str) -> str:
    """A channel's name."""
    return str(CHANNEL_LABELS.get(value, value))
