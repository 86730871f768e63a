"""Names, not ids: every demo page, as each role, shows no login, department id or ISO term."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.demo_accounts import DEFAULT_DEPARTMENTS, DEMO_PASSWORD
from engine.models import OpenUserTask, User
from engine.municipalities import load_municipality
from engine.violations import ENGINE_ACTOR_NAMES
from engine.worker import run_worker
from web import create_app
from web.db import extension_state
from web.demo import prepare
from web.naming import staff_text

# Pages that differ only by ids or filter values are one page here: a few of each are read.
SAME_PAGE_LIMIT = 2
PAGES_PER_USER = 40
ISO_TERM = r"\bP(?:T\d|\d+[DWMY])|ISO 8601"


class VisibleText(HTMLParser):
    """What a person reads on a page (and its links): text, titles, labels, alt texts.

    The people pages' login column (`class="login"`) is the account's datum itself and is left out.
    """

    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in self.HIDDEN or "login" in (found.get("class") or "").split():
            self.hidden.append(tag)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        for name in ("title", "aria-label", "placeholder", "alt"):
            if found.get(name) and not self.hidden:
                self.parts.append(str(found[name]))

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _shape(url: str) -> str:
    """A page's kind: its path without numbers and the names of its query arguments."""
    parts = urlsplit(url)
    arguments = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+|[0-9a-f-]{32,36}", "N", parts.path) + "?" + "&".join(arguments)


def _crawl(client: FlaskClient, forbidden: re.Pattern[str]) -> tuple[int, list[str]]:
    """Follow the local links from the task list; every id a page shows, with its URL."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue, found, read = ["/"], [], 0
    while queue and read < PAGES_PER_USER:
        url = queue.pop(0)
        if url in seen or shapes[_shape(url)] >= SAME_PAGE_LIMIT:
            continue
        seen.add(url)
        shapes[_shape(url)] += 1
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        read += 1
        page = VisibleText()
        page.feed(response.text)
        text = re.sub(r"\s+", " ", " ".join(page.parts))
        found += [f"{url}: «{m.group(0)}» in …{text[max(0, m.start() - 40) : m.end() + 20]}…"
                  for m in forbidden.finditer(text)]  # fmt: skip
        queue += [
            link.split("#")[0]
            for link in page.links
            if link.startswith("/") and not link.startswith(("/static", "/logout", "//"))
        ]
    return read, found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo as `make run` prepares it, a deadline fired, a task claimed, a substitute named."""
    folder: Path = tmp_path_factory.mktemp("names")
    app = create_app(
        {
            "DEMO": True,
            "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    state = extension_state(app)
    prepare(app)
    run_worker(
        state["sessions"],
        state["runtime"],
        interval_seconds=0,
        batch_size=50,
        stop=threading.Event(),
        max_ticks=1,
    )
    with state["sessions"]() as session:
        task = session.scalars(
            select(OpenUserTask).where(
                OpenUserTask.municipality == "example", OpenUserTask.role == "curator"
            )
        ).first()
        ids = {login: str(uid) for login, uid in session.execute(select(User.login, User.id))}
    assert task is not None
    today = state["runtime"].clock.now().date()
    curator = _signed_in(app, "example.curator")
    assert curator.post(f"/tasks/{task.task_id}/claim").status_code == 302
    head = _signed_in(app, "example.head")
    named = head.post(
        "/team/substitutions",
        data={
            "absent": ids["example.curator"],
            "substitute": ids["example.executor"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=13)).isoformat(),
        },
    )
    assert named.status_code == 302
    admin = _signed_in(app, "example.admin")
    assert admin.post("/admin/api-tokens", data={"name": "Интеграция"}).status_code == 200
    acknowledge = re.search(r'action="(/notices/\d+/acknowledge)"', head.get("/notices/").text)
    assert acknowledge is not None
    assert head.post(acknowledge.group(1), data={"comment": "Разобрались."}).status_code == 302
    # The crawl below would see these as logins had the pages not put names in their place.
    mine = curator.get("/?scope=mine").text
    assert "Куратор (демо)" in mine.split(f'data-task-id="{task.task_id}"')[1].split("</tr>")[0]
    assert (
        "вы замещаете сотрудника «Куратор (демо)»"
        in _signed_in(app, "example.executor").get("/").text
    )
    return app


def _signed_in(app: Flask, login_name: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"login": login_name, "password": DEMO_PASSWORD})
    assert response.status_code == 302, login_name
    return client


def test_staff_read_names_never_logins_department_ids_or_iso_terms(demo: Flask) -> None:
    state = extension_state(demo)
    with state["sessions"]() as session:
        users = list(session.scalars(select(User).order_by(User.login)))
    towns = sorted({user.municipality for user in users})
    departments = {d.id for d in DEFAULT_DEPARTMENTS} | {
        department.id
        for town in towns
        for department in load_municipality(town, state["runtime"].processes_dir).departments
    }
    words = sorted({user.login for user in users} | set(ENGINE_ACTOR_NAMES) | departments)
    forbidden = re.compile(
        r"(?<![\w.-])(" + "|".join(map(re.escape, words)) + r")(?![\w.-])|" + ISO_TERM
    )
    leaks, pages = [], 0
    for user in users:
        read, found = _crawl(_signed_in(demo, user.login), forbidden)
        pages += read
        leaks += [f"{user.login} {leak}" for leak in found]
    assert pages > 10 * len(users)
    assert leaks == []


def test_engine_messages_about_terms_are_rewritten_for_staff() -> None:
    rewritten = staff_text(
        "Принимаются: «8 рабочих часов»; или ISO 8601 (календарное время): «PT8H», «P2D»"
    )
    assert rewritten == "Принимаются: «8 рабочих часов»; или в календарном времени: «8 ч», «2 дн»"
    assert staff_text("Укажите дату и время (ISO 8601).") == "Укажите дату и время."
    assert staff_text("PT1H30M и P1W") == "1 ч 30 мин и 1 нед"
    assert staff_text("PARK, P2, Пункт 8") == "PARK, P2, Пункт 8"
