"""The kinds of a user's notice: each one may be mailed or not, at the user's choice."""

from __future__ import annotations

TASK = "task"  # a new task for me or my department
ASSIGNED = "assigned"  # a task given to me by name
REMINDER = "reminder"  # a deadline approaching (the table's reminder moment)
BREACH = "breach"  # a deadline breached (the table's notice)
MENTION = "mention"  # a colleague mentioned me in a comment
PUBLICATION_FAILED = "publication_failed"  # the worker gave up on an answer I sent

KINDS: tuple[str, ...] = (TASK, ASSIGNED, REMINDER, BREACH, MENTION, PUBLICATION_FAILED)
