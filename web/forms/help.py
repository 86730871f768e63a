"""What each step asks of staff, by form key: shown beside the regulation's own clauses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FORM_HELP = {
    "screen": _l(
        "Decide whether the message is taken into work. Messages with obscene language, "
        "insults, threats or intent to harm are not processed; a question outside the "
        "administration's competence is redirected with reasons and the agency's contacts."
    ),
    "route": _l(
        "Choose every department whose competence the message touches: each answers within "
        "its competence. Note the topic, the place and the importance; shorten the deadline "
        "only when the message needs a faster answer."
    ),
    "draft_answer": _l(
        "Answer on substance, briefly and without bureaucratese: what has been or will be "
        "done, when, or what the author should do. A formal non-answer is returned. If the "
        "work takes longer, give an intermediate answer and say when the final one comes."
    ),
    "review": _l(
        "Check the draft: a greeting, no grammar errors, every question answered, no formal "
        "phrases, no uncommon terms or abbreviations. Return it for rework with a reason."
    ),
    "approve": _l("Approve the draft or return it to the executor with a reason for rework."),
    "forward": _l("Pass the draft on unchanged to the next party."),
    "publish": _l(
        "Publish the answer where the author asked and give the link to the published answer."
    ),
    "report_back": _l(
        "Report back to the source system and attach a screenshot of the published answer."
    ),
    "acknowledge": _l("A deadline was missed: note the measures taken."),
}


def form_help(form_key: str) -> str:
    """The help text of a form key, or an empty string."""
    found = FORM_HELP.get(form_key)
    return str(found) if found is not None else ""
