"""Russian mail from notices: a subject, a text part and an HTML part (Jinja2 templates)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from adapters.mail.settings import MailSettings
from engine.inbox import kinds
from engine.inbox.mail import Outgoing

TEMPLATES = Path(__file__).parent / "templates"
LABELS = {
    kinds.TASK: "Новая задача",
    kinds.ASSIGNED: "Вам назначена задача",
    kinds.REMINDER: "Приближается срок",
    kinds.BREACH: "Нарушен срок",
    kinds.MENTION: "Вас упомянули в комментарии",
    kinds.PUBLICATION_FAILED: "Ответ не опубликован",
}
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    keep_trailing_newline=True,
)


def subject_of(outgoing: Outgoing) -> str:
    """The mail's subject: the kind and the case, or the digest's count."""
    if outgoing.digest:
        return f"Регламент: сводка уведомлений за день ({len(outgoing.notices)})"
    notice = outgoing.notices[0]
    case = f" — дело № {notice.instance_id}" if notice.instance_id else ""
    return f"Регламент: {LABELS.get(notice.kind, 'Уведомление')}{case}"


def build(outgoing: Outgoing, settings: MailSettings, zones: dict[str, str]) -> EmailMessage:
    """The whole message, its Message-ID fixed by the outbox rows (a resend would repeat it)."""
    items = [
        {
            "label": LABELS.get(notice.kind, "Уведомление"),
            "text": notice.text,
            "due": _local(notice.due_at, zones.get(notice.municipality)),
            "link": _link(settings, f"/cases/{notice.instance_id}" if notice.instance_id else ""),
        }
        for notice in outgoing.notices
    ]
    context = {
        "name": outgoing.full_name,
        "items": items,
        "digest": outgoing.digest,
        "inbox": _link(settings, "/inbox/"),
        "preferences": _link(settings, "/inbox/preferences"),
    }
    message = EmailMessage()
    message["Subject"] = subject_of(outgoing)
    message["From"] = settings.sender
    message["To"] = formataddr((outgoing.full_name, outgoing.recipient))
    domain = settings.sender.rpartition("@")[2] or "reglament"
    message["Message-ID"] = f"<mail-{'-'.join(map(str, outgoing.ids))}@{domain}>"
    message.set_content(_environment.get_template("notice.txt").render(context))
    message.add_alternative(
        _environment.get_template("notice.html").render(context), subtype="html"
    )
    return message


def _local(moment: datetime | None, zone: str | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone or "Europe/Moscow")).strftime("%d.%m.%Y %H:%M")


def _link(settings: MailSettings, path: str) -> str:
    return f"{settings.base_url}{path}" if settings.base_url and path else ""
