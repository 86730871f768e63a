"""Comments of a group's topics, read by polling `discussions.getComments` (signed requests).

Settings (channel `ok`): `application_key`, `application_secret_key`, `access_token` (the
group's token), `group_id`, `topics` (comma-separated topic ids to watch), `api_url` (default
OK's REST endpoint; tests point it at a local server). Every comment is a message keyed by its
id, so reading a page again takes nothing twice; the anchor past the last page read is kept
(`channel_cursors`) and the next poll reads FORWARD from it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from adapters.channel import Context, Malformed, Refusal, need, optional, text_or_placeholder
from adapters.cursors import load_cursor, save_cursor
from adapters.intake import Delivery, Outcome, take_in

SOURCE = "ok"
ACTOR = "ok-poll"
API_URL = "https://api.ok.ru/fb.do"
PAGE = 100  # comments per request, OK's maximum
MAX_PAGES = 20  # per topic and poll: a backlog is taken over several polls
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
OK_ZONE = ZoneInfo("Europe/Moscow")  # OK's REST API gives dates in Moscow time


class PollError(Exception):
    """OK answered with an error, or not at all; names the topic and OK's words."""


@dataclass
class PollReport:
    """What one poll of a municipality did."""

    accepted: int = 0
    duplicates: int = 0
    skipped: int = 0
    refused: int = 0


def signature(params: dict[str, str], access_token: str, secret_key: str) -> str:
    """OK's `sig`: md5 of the sorted `k=v` pairs (no token) and md5(token + secret key)."""
    session_secret = hashlib.md5((access_token + secret_key).encode()).hexdigest()
    pairs = "".join(
        f"{key}={params[key]}" for key in sorted(params) if key not in ("sig", "access_token")
    )
    return hashlib.md5((pairs + session_secret).encode()).hexdigest().lower()


def poll_municipality(context: Context, municipality: str, client: httpx.Client) -> PollReport:
    """Read every configured topic's comments and take the new ones in."""
    settings = {
        name: context.required(municipality, SOURCE, name)
        for name in (
            "application_key",
            "application_secret_key",
            "access_token",
            "group_id",
            "topics",
        )
    }
    url = context.secret(municipality, SOURCE, "api_url") or API_URL
    report = PollReport()
    for topic in [item.strip() for item in settings["topics"].split(",") if item.strip()]:
        key = f"topic:{topic}"
        start = load_cursor(context, SOURCE, municipality, key)
        comments, anchor = _comments(client, url, settings, topic, start)
        for comment in comments:
            _take(context, municipality, settings, topic, comment, report)
        if anchor and anchor != start:
            # Saved after the comments are in: a crash before this re-reads them as duplicates.
            save_cursor(context, SOURCE, municipality, key, anchor)
    return report


def _take(
    context: Context,
    municipality: str,
    settings: dict[str, str],
    topic: str,
    comment: dict[str, Any],
    report: PollReport,
) -> None:
    incoming = _incoming(municipality, settings, topic, comment)
    if incoming is None:
        report.skipped += 1
        return
    try:
        outcome = take_in(context, Delivery(SOURCE, municipality, None, incoming), ACTOR)
    except Refusal:
        report.refused += 1  # a comment the engine refuses (too old...)
        return
    if outcome is Outcome.ACCEPTED:
        report.accepted += 1
    else:
        report.duplicates += 1


def _comments(
    client: httpx.Client, url: str, settings: dict[str, str], topic: str, start: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The topic's comments after `start` (all of them without one) and the anchor past them."""
    found: list[dict[str, Any]] = []
    anchor = start
    for _ in range(MAX_PAGES):
        params = {
            "application_key": settings["application_key"],
            "method": "discussions.getComments",
            "discussionId": topic,
            "discussionType": "GROUP_TOPIC",
            "count": str(PAGE),
            "format": "json",
        }
        if anchor:
            params["anchor"] = anchor
            params["direction"] = "FORWARD"
        params["sig"] = signature(
            params, settings["access_token"], settings["application_secret_key"]
        )
        params["access_token"] = settings["access_token"]
        page = _call(client, url, params, topic)
        comments = page.get("comments") or []
        if not isinstance(comments, list):
            raise PollError(f"тема {topic}: comments — не список")
        found.extend(item for item in comments if isinstance(item, dict))
        following = page.get("anchor")
        if not isinstance(following, str) or not following:
            break
        anchor = following
        if not page.get("has_more"):
            break
    return found, anchor


def _call(client: httpx.Client, url: str, params: dict[str, str], topic: str) -> dict[str, Any]:
    try:
        response = client.get(url, params=params, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise PollError(f"тема {topic}: {error}") from error
    if not isinstance(data, dict):
        raise PollError(f"тема {topic}: ответ — не объект")
    if "error_code" in data:
        raise PollError(
            f"тема {topic}: ошибка OK {data.get('error_code')}: {data.get('error_msg')}"
        )
    return data


def _incoming(
    municipality: str, settings: dict[str, str], topic: str, comment: dict[str, Any]
) -> dict[str, Any] | None:
    where = f"тема {topic}, комментарий"
    try:
        comment_id = str(need(comment, "id", (str, int), where))
        author_id = str(need(comment, "author_id", (str, int), where))
        date = need(comment, "date", str, where)
        text = optional(comment, "text", str, where)
    except Malformed:
        return None  # a deleted comment comes without its author or text
    if author_id == settings["group_id"]:
        return None  # the group's own answer
    group = settings["group_id"]
    return {
        "municipality": municipality,
        "source": SOURCE,
        "external_id": f"topic_comment:{topic}_{comment_id}",
        "channel": "comment",
        "official_page": True,
        "author": str(comment.get("author_name") or f"ok{author_id}")[:256],
        "author_id": author_id,
        "text": text_or_placeholder(text, []),
        "url": f"https://ok.ru/group/{group}/topic/{topic}",
        "thread_id": f"topic{topic}",
        "received_at": _date(date),
        "payload": {
            "reply_to": {
                "network": SOURCE,
                "kind": "topic_comment",
                "group_id": group,
                "topic_id": topic,
                "comment_id": comment_id,
            }
        },
    }


def _date(text: str) -> str:
    try:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007  (Moscow, added next)
    except ValueError:
        return text  # the engine's schema refuses it, naming the field
    return moment.replace(tzinfo=OK_ZONE).isoformat()
