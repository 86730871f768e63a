"""Names, not ids: people, the engine's own actors and substitution periods as staff read them."""

from __future__ import annotations

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_babel import gettext

from adapters.registry import ACTOR_CHANNELS
from engine.access import standing_in_for
from engine.models import OpenUserTask, Substitution
from engine.staff import display_names
from web import db
from web.i18n import day, when, zone

# An ISO 8601 duration such as PT8H, P2D, PT1H30M (how a modeller may write a term).
ISO_DURATION = re.compile(
    r"\bP(?=\d|T\d)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?\b"
)
ISO_UNITS = ("нед", "дн", "ч", "мин", "с")
API_ACTOR_PREFIX = "api:"  # web/api/auth.py: an integration token acts as «api:<its name>»
# The engine's deadline messages name the standard; staff read «в календарном времени».
ISO_PHRASES = (
    ("ISO 8601 (календарное время)", "в календарном времени"),
    ("ISO 8601:", "Календарное время:"),
    (" (ISO 8601)", ""),
    ("ISO 8601", "в календарном времени"),
)


def init_app(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.add_template_filter(staff_text, "staff_text")
    app.add_template_global(person_name, "person_name")
    app.add_template_global(substitution_period, "substitution_period")
    app.add_template_global(stand_in_note, "stand_in_note")


def person_name(login: str | None) -> str:
    """A login as the person's full name («Система (срок)» for the timer); «—» for none."""
    if not login:
        return "—"
    if login in ACTOR_CHANNELS:  # a message taken in from a network by its adapter
        return gettext("Channel %(name)s", name=ACTOR_CHANNELS[login])
    if login.startswith(API_ACTOR_PREFIX):  # a message sent through the REST API
        return gettext("Integration «%(name)s»", name=login.removeprefix(API_ACTOR_PREFIX))
    user = g.get("user")
    if user is None:
        return login
    names: dict[str, str] | None = g.get("display_names")
    if names is None:
        names = g.display_names = display_names(db.session(), user.municipality)
    return names.get(login, login)


def substitution_period(item: Substitution) -> str:
    """«с 01.12.2026 по 14.12.2026 включительно», as the days were entered."""
    ends = item.ends_at.astimezone(ZoneInfo(zone()))
    if ends.time() == time(0):
        last = ends - timedelta(days=1)
        return gettext(
            "from %(start)s to %(end)s inclusive", start=day(item.starts_at), end=day(last)
        )
    return gettext("from %(start)s until %(end)s", start=day(item.starts_at), end=when(ends))


def stand_in_note(task: OpenUserTask) -> str:
    """«вы замещаете …» when the viewer has the task only as a substitute; empty otherwise."""
    viewer = g.get("viewer")
    absent = standing_in_for(viewer, task) if viewer is not None else None
    return gettext("you stand in for %(name)s", name=absent) if absent else ""


def staff_text(text: str) -> str:
    """An engine message as staff read it: no «ISO 8601», «PT8H» as «8 ч»."""
    text = str(text)
    for phrase, words in ISO_PHRASES:
        text = text.replace(phrase, words)
    return ISO_DURATION.sub(_duration_words, text).replace(" )", ")")


def _duration_words(match: re.Match[str]) -> str:
    parts = [
        f"{int(amount)} {unit}"
        for amount, unit in zip(match.groups(), ISO_UNITS, strict=True)
        if amount
    ]
    return " ".join(parts) or match.group(0)
