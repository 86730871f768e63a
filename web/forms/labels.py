"""Labels staff read: form field names, choice values, sources and channels (English msgids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "comment": _l("Comment"),
    "screen_decision": _l("Decision"),
    "not_processed_reason": _l("Reason for not processing"),
    "redirect_to": _l("Redirect to (agency)"),
    "redirect_reasons": _l("Reasons for redirecting and the agency's contacts"),
    "departments": _l("Executor departments"),
    "topic": _l("Topic"),
    "location": _l("Location"),
    "importance": _l("Importance"),
    "shortened_deadline": _l("Shortened deadline"),
    "executor_publishes": _l("The executor publishes the answer"),
    "repeat_publication": _l("A repeat publication: the answer reports the measures taken"),
    "answer_kind": _l("Kind of answer"),
    "answer_text": _l("Text of the answer"),
    "final_answer_promised_at": _l("When the final answer will be given"),
    "measures_taken": _l("Measures taken"),
    "needs_photos": _l("The answer needs photos"),
    "redirect_contacts": _l("Contacts of the competent body (phone, e-mail, site)"),
    "attachments": _l("Attachments (one link a line)"),
    "review_decision": _l("Decision"),
    "rework_reasons": _l("Reasons for rework"),
    "published_url": _l("Link to the published answer"),
    "screenshot": _l("Screenshot of the published answer (link)"),
    "measures": _l("Measures taken"),
}

CHOICE_LABELS = {
    "process": _l("Take into work"),
    "not_processed": _l("Not processed"),
    "redirect": _l("Redirect (out of competence)"),
    "clarify": _l("Ask the author to clarify"),
    "obscenity": _l("Obscene language"),
    "insult": _l("Insults"),
    "threat": _l("Threats to life, health or property"),
    "harm_intent": _l("Intent to cause harm"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "final": _l("Final answer"),
    "intermediate": _l("Intermediate answer"),
    "clarification": _l("Clarification request to the author"),
    "approve": _l("Approve"),
    "rework": _l("Return for rework"),
    "formal": _l("Formal answer"),
    "contradictory": _l("Contradictory information"),
    "unanswered_questions": _l("Not every question answered"),
    "jargon": _l("Uncommon terms or abbreviations"),
    "no_greeting": _l("No greeting"),
    "grammar": _l("Grammar errors"),
    "other": _l("Other (see comment)"),
}

# Multi-line text fields; every other text field is one line.
MULTILINE = frozenset(
    {
        "comment",
        "redirect_reasons",
        "answer_text",
        "measures_taken",
        "redirect_contacts",
        "attachments",
        "measures",
    }
)

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


def field_label(name: str) -> str:
    """A field's label; an unlisted field shows its name (tests keep the list complete)."""
    return str(FIELD_LABELS.get(name, name))


def choice_label(value: str) -> str:
    """A choice's label, or the value itself."""
    return str(CHOICE_LABELS.get(value, value))


def source_label(value: str) -> str:
    """A message source's name."""
    return str(SOURCE_LABELS.get(value, value))


def channel_label(value: str) -> str:
    """A channel's name."""
    return str(CHANNEL_LABELS.get(value, value))
