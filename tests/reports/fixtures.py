"""Hand-counted report fixtures: Perm cases driven through the real engine on a virtual clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.intake import receive_message
from engine.models import OpenUserTask, User
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.tasks import claim_task
from engine.versions import deploy_file
from tests.conftest import PROCESSES

PERM_ZONE = timezone(timedelta(hours=5))
FIRST_START = datetime(2026, 3, 16, 9, 0, tzinfo=PERM_ZONE)  # Monday in Perm
PERM_BPMN = PROCESSES / "perm" / "v1" / "perm.bpmn"
STAFF = {"curator1": "Смирнова Анна", "ivanov": "Иванов Иван", "petrova": "Петрова Ольга"}
FINAL = {"answer_kind": "final", "answer_text": "Здравствуйте! Всё исправлено в срок."}


@dataclass
class Driver:
    """Cases one after another on one clock; the scheduler fires what falls due between steps."""

    sessions: sessionmaker[Session]
    clock: VirtualClock
    runtime: Runtime
    sent: int = 0
    kinds: dict[str, list[int]] = field(default_factory=dict)

    def deploy(self) -> None:
        with self.sessions.begin() as session:
            deploy_file(session, self.runtime, PERM_BPMN, "admin")
            for login, name in STAFF.items():
                session.add(
                    User(login=login, full_name=name, password_hash="-", municipality="perm")
                )

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)
        while tick(self.sessions, self.runtime).advanced:
            pass

    def send(self, kind: str, source: str = "vk", channel: str = "feed", **extra: Any) -> int:
        self.sent += 1
        incoming = {
            "municipality": "perm",
            "source": source,
            "channel": channel,
            "external_id": f"m{self.sent}",
            "author": "Автор",
            "author_id": extra.pop("author_id", f"a{self.sent}"),
            "text": "Во дворе яма на дороге, когда заделают?",
            "received_at": self.clock.now().isoformat(),
            **extra,
        }
        with self.sessions.begin() as session:
            intake = receive_message(session, self.runtime, incoming, source)
            case = intake.result.instance.id
        if not intake.repeat:
            self.kinds.setdefault(kind, []).append(case)
        return case

    def complete(
        self, case: int, element: str, data: dict[str, Any], actor: str = "curator1"
    ) -> None:
        with self.sessions.begin() as session:
            task = session.scalars(
                select(OpenUserTask).where(
                    OpenUserTask.instance_id == case, OpenUserTask.element_id == element
                )
            ).first()
            open_ = session.scalars(
                select(OpenUserTask.element_id).where(OpenUserTask.instance_id == case)
            ).all()
            assert task is not None, f"case {case}: no open {element}: {open_}"
            complete_task(session, self.runtime, task.task_id, data, actor)

    def claim(self, case: int, element: str, actor: str) -> None:
        with self.sessions.begin() as session:
            task = session.scalars(
                select(OpenUserTask).where(
                    OpenUserTask.instance_id == case, OpenUserTask.element_id == element
                )
            ).one()
            claim_task(session, self.runtime, task.task_id, actor)

    def intermediate_case(self, kind: str) -> int:
        """A private message: an intermediate answer, then the final one well in time."""
        start = self.clock.now()
        case = self.send(kind, "monitoring", "private")
        self.at(start + timedelta(minutes=10))
        self.complete(case, "screen", {"screen_decision": "process", "page": "monitoring"})
        self.complete(case, "route", {"departments": ["dtr"]})
        self.at(start + timedelta(hours=2))
        intermediate = {
            "answer_kind": "intermediate",
            "answer_text": "Здравствуйте! Проверяем, окончательный ответ — завтра.",
            "final_answer_promised_at": "2026-03-21",
        }
        self.complete(case, "draft_private", intermediate, actor="ivanov")
        self.at(self.clock.now() + timedelta(minutes=10))
        self.complete(case, "review_answer", {"review_decision": "approve"})
        self.at(self.clock.now() + timedelta(minutes=10))
        self.complete(case, "publish_intermediate", {"published_url": "https://vk.com/im?1"})
        self.at(start + timedelta(hours=5))
        self.complete(case, "draft_final_answer", FINAL, actor="ivanov")
        self.at(self.clock.now() + timedelta(minutes=10))
        self.complete(case, "review_answer", {"review_decision": "approve"})
        self.at(self.clock.now() + timedelta(minutes=10))
        self.complete(case, "publish", {"published_url": "https://vk.com/im?2"})
        return case

    def feed_case(self, kind: str, draft_after: timedelta, executor: str, source: str) -> int:
        """Screen +10 min, route +20 min to ddh, the draft after `draft_after`, then publish."""
        start = self.clock.now()
        case = self.send(kind, source)
        self.at(start + timedelta(minutes=10))
        page = "incident_manager" if source == "incident_manager" else "head"
        self.complete(case, "screen", {"screen_decision": "process", "page": page})
        self.at(start + timedelta(minutes=20))
        self.complete(case, "route", {"departments": ["ddh"], "topic": "Дороги"})
        self.claim(case, "draft_feed", executor)  # the executor answers for the step from now
        routed = self.clock.now()
        self.at(routed + draft_after)
        self.complete(case, "draft_feed", FINAL, actor=executor)
        self.at(self.clock.now() + timedelta(minutes=10))
        self.complete(case, "review_answer", {"review_decision": "approve"})
        self.at(self.clock.now() + timedelta(minutes=10))
        self.complete(case, "publish", {"published_url": "https://vk.com/wall-1_1"})
        return case

    def screened(self, kind: str, after: timedelta, data: dict[str, Any]) -> int:
        """A case closed at the screening after `after`."""
        start = self.clock.now()
        case = self.send(kind)
        self.at(start + after)
        self.complete(case, "screen", data)
        return case

    def stuck(self, kind: str, **extra: Any) -> int:
        """Routed to dtr and never answered: overdue now."""
        start = self.clock.now()
        case = self.send(kind, "monitoring", **extra)
        self.at(start + timedelta(minutes=5))
        self.complete(case, "screen", {"screen_decision": "process", "page": "monitoring"})
        self.complete(case, "route", {"departments": ["dtr"]})
        return case

    def next_case(self) -> None:
        self.at(self.clock.now() + timedelta(hours=1))


def build_fixture(driver: Driver) -> None:
    """The hand-counted cohort (README of tests/reports lists what each kind expects)."""
    driver.deploy()
    driver.at(FIRST_START)
    for _ in range(6):  # in time: 5 deadlines met each
        driver.feed_case("in_time", timedelta(hours=1), "ivanov", "vk")
        driver.next_case()
    for _ in range(3):  # the draft 5 hours after routing: п. 3.2.1 breached by petrova
        driver.feed_case("late_draft", timedelta(hours=5), "petrova", "ok")
        driver.next_case()
    driver.screened(
        "late_screen",
        timedelta(minutes=70),
        {"screen_decision": "not_processed", "not_processed_reason": "insult"},
    )
    driver.next_case()
    for _ in range(2):
        driver.screened(
            "obscene",
            timedelta(minutes=10),
            {"screen_decision": "not_processed", "not_processed_reason": "obscenity"},
        )
        driver.next_case()
    driver.screened(
        "redirect",
        timedelta(minutes=15),
        {
            "screen_decision": "redirect",
            "redirect_to": "Минздрав края",
            "redirect_reasons": "Вне компетенции администрации города.",
        },
    )
    driver.next_case()
    driver.intermediate_case("intermediate")
    driver.next_case()
    driver.stuck("stuck", author_id="twice", thread_id="t1")
    driver.send("stuck", "monitoring", author_id="twice", thread_id="t1")
    driver.next_case()
    driver.stuck("stuck")
    driver.at(datetime(2026, 3, 20, 12, 0, tzinfo=PERM_ZONE))  # Friday noon: both overdue
