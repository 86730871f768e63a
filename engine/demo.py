"""Demo data: every regulation deployed and messages in every state, some overdue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.instances import complete_task
from engine.intake import DuplicateMessage, receive_message
from engine.models import OpenUserTask
from engine.runtime import Runtime
from engine.versions import DeployError, deploy_file

DEMO_ACTOR = "demo"

# (external id, hours ago, text, the steps to complete: (element, form data)).
# 120 and 150 hours ago survive any weekend, so those cases are overdue whenever the demo starts.
DEMO_MESSAGES: list[tuple[str, int, str, list[tuple[str, dict[str, Any]]]]] = [
    ("demo-1", 0, "Во дворе дома 12 по ул. Ленина не горят фонари.", []),
    ("demo-2", 120, "Когда отремонтируют дорогу на ул. Мира? Ямы по колено.", []),
    (
        "demo-3",
        3,
        "На детской площадке сломаны качели.",
        [("screen", {"screen_decision": "process"})],
    ),
    (
        "demo-4",
        150,
        "Третий день не вывозят мусор с контейнерной площадки.",
        [("screen", {"screen_decision": "process"}), ("route", {"departments": ["housing"]})],
    ),
    (
        "demo-5",
        2,
        "Почему не работает общественный транспорт после 22:00?",
        [
            ("screen", {"screen_decision": "process"}),
            ("route", {"departments": ["transport", "roads"]}),
            (
                "draft_answer",
                {
                    "answer_kind": "final",
                    "answer_text": "Здравствуйте! Маршрут 5 продлён до 23:30.",
                },
            ),
        ],
    ),
    (
        "demo-6",
        1,
        "(сообщение с нецензурной бранью)",
        [("screen", {"screen_decision": "not_processed", "not_processed_reason": "obscenity"})],
    ),
]


def deploy_all(sessions: sessionmaker[Session], runtime: Runtime) -> list[str]:
    """Deploy every BPMN file under the processes folder; report each outcome."""
    report = []
    for path in sorted(Path(runtime.processes_dir).glob("*/v*/*.bpmn")):
        try:
            with sessions.begin() as session:
                result = deploy_file(session, runtime, path, DEMO_ACTOR)
            report.append(f"{path}: {'deployed' if result.created else 'unchanged'}")
        except DeployError as error:
            report.append(f"{path}: refused: {error}")
    return report


def seed_messages(sessions: sessionmaker[Session], runtime: Runtime, municipality: str) -> int:
    """Receive the demo messages (as if they arrived hours ago) and walk them forward."""
    seeded = 0
    for external_id, hours_ago, text, steps in DEMO_MESSAGES:
        incoming = {
            "municipality": municipality,
            "source": "vk",
            "external_id": f"{municipality}-{external_id}",
            "author": "Житель города",
            "author_id": f"vk-{external_id}",
            "text": text,
            "url": f"https://vk.com/wall-1_{external_id.removeprefix('demo-')}",
            "received_at": (runtime.clock.now() - timedelta(hours=hours_ago)).isoformat(),
        }
        try:
            with sessions.begin() as session:
                case = receive_message(session, runtime, incoming, DEMO_ACTOR).result.instance.id
        except DuplicateMessage:
            continue
        for element, data in steps:
            _complete_all(sessions, runtime, case, element, data)
        seeded += 1
    return seeded


def _complete_all(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, element: str, data: dict[str, Any]
) -> None:
    with sessions() as session:
        task_ids = list(
            session.scalars(
                select(OpenUserTask.task_id).where(
                    OpenUserTask.instance_id == case, OpenUserTask.element_id == element
                )
            )
        )
    for task_id in task_ids:
        with sessions.begin() as session:
            complete_task(session, runtime, task_id, data, DEMO_ACTOR)


def task_list(sessions: sessionmaker[Session]) -> list[str]:
    """Open tasks, soonest due first, one line each."""
    with sessions() as session:
        rows = session.scalars(
            select(OpenUserTask).order_by(OpenUserTask.due_at.is_(None), OpenUserTask.due_at)
        )
        return [
            f"{row.municipality:<12} case {row.instance_id:<4} {row.name:<28} "
            f"{row.role or '-':<9} {row.department or '-':<10} due {row.due_at or '—'}"
            for row in rows
        ]
