"""The answer of a case read from its history: drafts, the last return for rework, publication.

Steps are recognised by the fields their forms put into the case, not by form keys, so a
regulation's own forms (`extends: draft_answer`, or a form of its own with the same fields) count
the same way: a completion carrying `answer_text` is a draft, one whose `review_decision` is
`rework` returns the drafts, one carrying `published_url` is the publication by hand, and an
`answer_published` event is the publication through the channel (engine/publishing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.models import AuditEvent
from engine.statuses import AuditKind

DRAFT_FIELD = "answer_text"
DECISION_FIELD = "review_decision"
REWORK = "rework"
PUBLISHED_FIELD = "published_url"
PUBLISHED_TEXT = "published_text"  # the answer as the publishing step left it (it may edit)
# What a return for rework says to the drafter (fields of the library's review form).
REWORK_FIELDS = ("rework_reasons", "comment")

# Longest text each channel accepts in one answer (the channels' documented limits).
CHANNEL_LIMITS = {"vk": 4096, "telegram": 4096, "max": 4000, "ok": 4096}


@dataclass(frozen=True)
class Draft:
    """One draft of the answer: the step's values, who wrote it at which step, and when."""

    values: dict[str, Any]
    form: str | None
    element_id: str | None
    department: str | None
    by: str
    at: datetime
    by_name: str = ""

    @property
    def text(self) -> str:
        return str(self.values.get(DRAFT_FIELD) or "")

    def get(self, name: str, default: Any = None) -> Any:
        """A value of the draft (templates read drafts as mappings)."""
        if name in ("by", "at", "by_name"):
            return getattr(self, name)
        return self.values.get(name, default)


@dataclass(frozen=True)
class Return:
    """The last return for rework: who returned, the reasons chosen and the comment."""

    form: str | None
    by: str
    at: datetime
    values: dict[str, Any]

    @property
    def reasons(self) -> list[str]:
        return list(self.values.get("rework_reasons") or [])

    @property
    def comment(self) -> str:
        return str(self.values.get("comment") or "")


@dataclass(frozen=True)
class Answer:
    """The drafts since the last return for rework, that return, and the publication."""

    drafts: list[Draft] = field(default_factory=list)
    returned: Return | None = None
    # Every draft ever written, newest last: a redo of a step starts from its own last draft.
    history: list[Draft] = field(default_factory=list)
    published_url: str | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    published_text: str | None = None  # the text as published, when the step recorded it

    @property
    def drafts_text(self) -> str:
        """The current drafts as one text (each department's in turn), to start a publication."""
        return "\n\n".join(draft.text for draft in self.drafts if draft.text)

    @property
    def text(self) -> str:
        """The answer as it stands: the text published (or edited for it), else the drafts."""
        return (self.published_text or self.drafts_text).strip()

    @property
    def edited(self) -> bool:
        """Whether the published text differs from the drafts it was made of."""
        if not self.published_text:
            return False
        return self.published_text.strip() != self.drafts_text.strip()

    def last_draft(self, element_id: str, department: str | None) -> Draft | None:
        """The newest draft written at a step (for one department), to start its redo from."""
        for draft in reversed(self.history):
            if draft.element_id == element_id and draft.department == department:
                return draft
        return None

    def return_for(self, element_id: str, department: str | None) -> Return | None:
        """The return that sent this step's last draft back, if the step is being redone."""
        draft = self.last_draft(element_id, department)
        if draft is None or self.returned is None or self.returned.at < draft.at:
            return None
        return self.returned


def answer_of(events: list[AuditEvent], names: Mapping[str, str] | None = None) -> Answer:
    """The answer as the case's history of completed steps tells it (names: login → name)."""
    names = names or {}
    drafts: list[Draft] = []
    history: list[Draft] = []
    returned: Return | None = None
    published: AuditEvent | None = None
    published_text: str | None = None
    for event in events:
        if event.kind is AuditKind.ANSWER_PUBLISHED and event.data.get("url"):
            published = event  # delivered through the channel (engine/publishing), link and all
            continue
        if event.kind is not AuditKind.TASK_COMPLETED:
            continue
        values = dict(event.data.get("values") or {})
        if values.get(DECISION_FIELD) == REWORK:
            drafts = []
            returned = Return(event.data.get("form"), event.actor, event.at, values)
        elif DRAFT_FIELD in values:
            draft = _draft(event, values, names.get(event.actor, event.actor))
            drafts.append(draft)
            history.append(draft)
        elif values.get(PUBLISHED_FIELD):  # published by hand: the link the curator gave
            published = event
        if values.get(PUBLISHED_TEXT):
            published_text = str(values[PUBLISHED_TEXT])
    return Answer(
        drafts=drafts,
        returned=returned,
        history=history,
        published_url=_published_url(published),
        published_at=published.at if published else None,
        published_by=published.actor if published else None,
        published_text=published_text,
    )


def _draft(event: AuditEvent, values: dict[str, Any], by_name: str) -> Draft:
    return Draft(
        by_name=by_name,
        values=values,
        form=event.data.get("form"),
        element_id=event.element_id,
        department=event.data.get("department"),
        by=event.actor,
        at=event.at,
    )


def _published_url(event: AuditEvent | None) -> str | None:
    if event is None:
        return None
    if event.kind is AuditKind.ANSWER_PUBLISHED:
        return str(event.data["url"])
    found = (event.data.get("values") or {}).get(PUBLISHED_FIELD)
    return str(found) if found else None
