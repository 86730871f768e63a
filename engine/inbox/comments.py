"""Comments on a case: internal notes between staff, with @-mentions that notify; audited."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import CaseComment, ProcessInstance, User
from engine.statuses import AuditKind

MAX_BODY = 4000
# `@login`: the logins of accounts (letters, digits, dot, dash, underscore).
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9_]|[A-Za-z0-9])")
EMPTY = "Напишите текст комментария."
TOO_LONG = f"Комментарий длиннее {MAX_BODY} символов."
NUL = "Комментарий содержит недопустимый символ."


class CommentRefused(ValueError):
    """A comment that cannot be posted: Russian messages by field (`body`, `mentions`)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def mentionable(session: Session, municipality: str) -> list[User]:
    """Who may be mentioned on a case: the active staff of its municipality, by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.municipality == municipality, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )


def comments_of(session: Session, instance_id: int) -> list[CaseComment]:
    """A case's comments, oldest first."""
    return list(
        session.scalars(
            select(CaseComment)
            .where(CaseComment.instance_id == instance_id)
            .order_by(CaseComment.created_at, CaseComment.id)
        )
    )


def add_comment(
    session: Session,
    instance: ProcessInstance,
    *,
    author: str,
    body: str,
    picked: Iterable[str] = (),
    task_id: str | None = None,
    now: datetime,
) -> CaseComment:
    """Post a comment; `picked` are logins chosen in the picker beside `@login`s in the text."""
    text = body.strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["body"] = [EMPTY]
    elif len(text) > MAX_BODY:
        errors["body"] = [TOO_LONG]
    elif "\x00" in text:
        errors["body"] = [NUL]
    wanted = list(dict.fromkeys([*MENTION.findall(text), *(p.strip() for p in picked if p)]))
    known = {user.login for user in mentionable(session, instance.municipality)}
    strangers = [login for login in wanted if login not in known]
    if strangers:
        errors["mentions"] = [
            "Нет такого сотрудника в этом муниципалитете: " + ", ".join(f"@{s}" for s in strangers)
        ]
    if errors:
        raise CommentRefused(errors)
    comment = CaseComment(
        instance_id=instance.id,
        municipality=instance.municipality,
        author=author,
        body=text,
        mentions=wanted,
        task_id=task_id,
        created_at=now,
    )
    session.add(comment)
    session.flush()  # the notices of its mentions are written with it (engine/inbox/capture.py)
    audit.record(
        session,
        AuditKind.COMMENT_POSTED,
        now,
        author,
        instance_id=instance.id,
        task_id=task_id,
        comment=comment.id,
        mentions=wanted,
    )
    return comment
