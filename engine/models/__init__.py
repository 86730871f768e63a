"""Engine tables: versions, messages, instances, tasks, audit, violations, accounts."""

from engine.models.account import Substitution, User
from engine.models.api import ApiIdempotencyKey, ApiToken
from engine.models.attachment import Attachment
from engine.models.audit import AuditEvent, Violation
from engine.models.channel import ChannelCursor, ChannelReceipt
from engine.models.deadline import CaseDeadline, Notice
from engine.models.draft import VersionDraft
from engine.models.duty import DutyOccurrence
from engine.models.inbox import CaseComment, MailMessage, NoticePreference, UserNotice
from engine.models.instance import Message, ProcessInstance
from engine.models.migration_run import MigrationRun, MigrationRunCase
from engine.models.publication import Publication
from engine.models.saved_filter import SavedFilter
from engine.models.staff_revision import StaffRevision
from engine.models.task import OpenUserTask
from engine.models.version import ProcessVersion, VersionActivation

__all__ = [
    "ApiIdempotencyKey",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "CaseComment",
    "CaseDeadline",
    "ChannelCursor",
    "ChannelReceipt",
    "DutyOccurrence",
    "MailMessage",
    "Message",
    "MigrationRun",
    "MigrationRunCase",
    "Notice",
    "NoticePreference",
    "OpenUserTask",
    "ProcessInstance",
    "ProcessVersion",
    "Publication",
    "SavedFilter",
    "StaffRevision",
    "Substitution",
    "User",
    "UserNotice",
    "VersionActivation",
    "VersionDraft",
    "Violation",
]

# Registers the flush listener that turns these events into notices and mail (engine/inbox).
from engine.inbox import capture as _capture  # noqa: F401
