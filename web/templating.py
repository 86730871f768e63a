"""What every template may use: labels for codes, the signed-in user's municipality."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g
from flask_babel import lazy_gettext as _l

from engine.statuses import AuditKind, DeadlineState, InstanceStatus
from engine.substitutions import SubstitutionState
from web import municipality, naming
from web.forms import channel_label, source_label
from web.forms.labels import source_names
from web.regulation import REPORT_ROLES

STATUS_LABELS = {
    InstanceStatus.RUNNING: _l("in progress"),
    InstanceStatus.COMPLETED: _l("completed"),
    InstanceStatus.CANCELLED: _l("cancelled"),
    InstanceStatus.ERROR: _l("error"),
}

EVENT_LABELS = {
    AuditKind.INSTANCE_STARTED: _l("Message received, case opened"),
    AuditKind.DUTY_STARTED: _l("Scheduled duty: case opened"),
    AuditKind.TASK_READY: _l("Step assigned"),
    AuditKind.TASK_CLAIMED: _l("Step taken into work"),
    AuditKind.TASK_RELEASED: _l("Step returned to the common list"),
    AuditKind.TASK_ASSIGNED: _l("Step assigned to a colleague"),
    AuditKind.TASK_COMPLETED: _l("Step completed"),
    AuditKind.TASK_CANCELLED: _l("Step cancelled"),
    AuditKind.TIMER_FIRED: _l("Deadline timer fired"),
    AuditKind.VIOLATION: _l("Deadline missed"),
    AuditKind.VIOLATION_WITHDRAWN: _l("Deadline violation withdrawn: another term applies"),
    AuditKind.MESSAGE_CORRELATED: _l("Repeat message from the author"),
    AuditKind.INSTANCE_COMPLETED: _l("Case closed"),
    AuditKind.INSTANCE_FAILED: _l("Case stopped by an error"),
    AuditKind.INSTANCE_RETRIED: _l("Case resumed after an error"),
    AuditKind.VERSION_DEPLOYED: _l("Regulation version deployed"),
    AuditKind.VERSION_ACTIVATED: _l("Regulation version activated"),
    AuditKind.VERSION_TESTED: _l("Regulation version passed its scenarios"),
    AuditKind.VERSION_UNTESTED: _l("Regulation version deployed without its scenarios"),
    AuditKind.SUBSTITUTION_NAMED: _l("Substitute named"),
    AuditKind.SUBSTITUTION_ENDED: _l("Substitution ended"),
    AuditKind.DEADLINE_PAUSED: _l("Deadline paused: waiting for the author"),
    AuditKind.DEADLINE_RESUMED: _l("Deadline resumed"),
    AuditKind.NOTICE_SENT: _l("Notice sent"),
    AuditKind.NOTICE_ACKNOWLEDGED: _l("Notice acknowledged"),
    AuditKind.VERSION_SCHEDULED: _l("Regulation version scheduled"),
    AuditKind.VERSION_ROLLED_BACK: _l("Regulation version rolled back"),
    AuditKind.INSTANCE_MIGRATED: _l("Case moved to another regulation version"),
    AuditKind.ANSWER_PUBLISHED: _l("Answer published"),
    AuditKind.ANSWER_PUBLISH_FAILED: _l("Answer not published: the channel refused it"),
    AuditKind.ANSWER_PUBLISH_RETRIED: _l("Answer sent to the channel again"),
    AuditKind.API_TOKEN_CREATED: _l("API token created"),
    AuditKind.API_TOKEN_REVOKED: _l("API token revoked"),
    AuditKind.USER_CREATED: _l("Account created"),
    AuditKind.USER_UPDATED: _l("Account changed"),
    AuditKind.USER_PASSWORD_RESET: _l("Password reset"),
    AuditKind.USER_DEACTIVATED: _l("Account closed"),
    AuditKind.USER_REACTIVATED: _l("Account opened again"),
    AuditKind.ATTACHMENT_ADDED: _l("File attached"),
}

DEADLINE_STATE_LABELS = {
    DeadlineState.ARMED: _l("running"),
    DeadlineState.PAUSED: _l("paused"),
    DeadlineState.MET: _l("kept"),
    DeadlineState.BREACHED: _l("missed"),
    DeadlineState.CANCELLED: _l("no longer applies"),
    DeadlineState.SUPERSEDED: _l("replaced by another term"),
}

SUBSTITUTION_LABELS = {
    SubstitutionState.UPCOMING: _l("upcoming"),
    SubstitutionState.ACTIVE: _l("active"),
    SubstitutionState.OVER: _l("over"),
}
# Links staff may follow; anything else (javascript:, data:, file:) is shown as text.
WEB_SCHEMES = frozenset({"http", "https"})

ROLE_LABELS = {
    "curator": _l("curator"),
    "executor": _l("executor"),
    "approver": _l("approver"),
    "head": _l("head"),
    "administrator": _l("administrator"),
}

SCOPE_LABELS = {"mine": _l("Mine"), "department": _l("My department"), "all": _l("All")}


def init_app(app: Flask) -> None:
    """Make labels and the user's municipality available in every template."""
    app.context_processor(_globals)
    naming.init_app(app)
    app.add_template_filter(role_label, "role_label")
    app.add_template_test(is_web_link, "web_link")


def is_web_link(value: object) -> bool:
    """Whether a value from a message or a form is an http(s) address with a host."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def role_label(role: str) -> str:
    """A staff role in words (a municipality's own role by its name in municipality.yaml)."""
    if role in ROLE_LABELS:
        return str(ROLE_LABELS[role])
    viewer = g.get("viewer")
    return viewer.registry.name(role) if viewer is not None else role


def _globals() -> dict[str, Any]:
    user = g.get("user")
    departments = dict(municipality.department_choices(user.municipality)) if user else {}
    return {
        "municipality_title": municipality.title(user.municipality) if user else "",
        # Violations and notices carry department ids; staff read the department's name.
        "department_label": lambda value: departments.get(value, value),
        "source_label": source_label,
        "source_names": source_names,
        "channel_label": channel_label,
        "status_label": lambda status: str(STATUS_LABELS.get(status, status)),
        "event_label": lambda kind: str(EVENT_LABELS.get(kind, kind)),
        "deadline_state_label": lambda state: str(DEADLINE_STATE_LABELS.get(state, state)),
        "role_label": role_label,
        "scope_label": lambda scope: str(SCOPE_LABELS[scope]),
        "substitution_state_label": lambda state: str(SUBSTITUTION_LABELS[state]),
        "report_roles": list(REPORT_ROLES),
    }
