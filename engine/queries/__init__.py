"""Read API for the staff UI: task list, message registry, case card, task page."""

from engine.queries.cases import Answer, CaseCard, Deadline, TimelineEntry, Violation, case_card
from engine.queries.diagram import DiagramMarks
from engine.queries.messages import MessageFilter, MessagePage, MessageRow, search, sources
from engine.queries.notices import (
    NoticePage,
    NoticeRow,
    notice_inbox,
    unread_counts,
    unread_notices,
)
from engine.queries.steps import (
    Completion,
    NextStep,
    Requirement,
    TaskView,
    completion_of,
    next_steps,
    task_view,
)
from engine.queries.tasks import TaskFilter, TaskPage, TaskRow, filter_choices, task_list
from engine.queries.timing import clear_caches, municipality_settings

__all__ = [
    "Answer",
    "CaseCard",
    "Completion",
    "Deadline",
    "DiagramMarks",
    "MessageFilter",
    "MessagePage",
    "MessageRow",
    "NextStep",
    "NoticePage",
    "NoticeRow",
    "Requirement",
    "TaskFilter",
    "TaskPage",
    "TaskRow",
    "TaskView",
    "TimelineEntry",
    "Violation",
    "case_card",
    "clear_caches",
    "completion_of",
    "filter_choices",
    "municipality_settings",
    "next_steps",
    "notice_inbox",
    "search",
    "sources",
    "task_list",
    "task_view",
    "unread_counts",
    "unread_notices",
]
