"""Demo data: every regulation deployed and messages in every state, some overdue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.forms import FormError
from engine.instances import InstanceNotRunning, StaleTaskError, complete_task
from engine.intake import DuplicateMessage, receive_message
from engine.models import OpenUserTask
from engine.municipalities import load_municipality
from engine.runtime import Runtime
from engine.selftest import deploy_version
from engine.versions import DeployError, version_forms
from engine.violations import DEMO_ACTOR

ANSWER = {
    "answer_kind": "final",
    "answer_text": "Здравствуйте! Работы выполнены, спасибо за обращение.",
}
# Steps a regulation may put between the demo's steps: completed with these data on the way.
FILLERS: dict[str, dict[str, Any]] = {
    "forward": {},
    "approve": {"review_decision": "approve"},
    "acknowledge": {"measures": "Приняты меры."},
}
MAX_FILLERS = 5
STEP_PACE = timedelta(minutes=20)  # demo staff take this long per step

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
    (
        "demo-7",
        4,
        "Когда уберут сугробы у школы № 3? Дети идут по проезжей части.",
        [
            ("screen", {"screen_decision": "process"}),
            ("route", {"departments": ["roads"]}),
            ("draft_answer", ANSWER),
            ("review", {"review_decision": "approve"}),
            ("approve", {"review_decision": "approve"}),
            ("publish", {"published_url": "https://vk.com/wall-1_7?reply=1"}),
        ],
    ),
    (
        "demo-8",
        2,
        "Во дворе дома 5 по ул. Гагарина третью неделю стоит брошенный автомобиль.",
        [
            ("screen", {"screen_decision": "process"}),
            ("route", {"departments": ["housing"]}),
            ("draft_answer", ANSWER),
            ("review", {"review_decision": "rework", "rework_reasons": ["unanswered_questions"]}),
        ],
    ),
]


def deploy_all(sessions: sessionmaker[Session], runtime: Runtime) -> list[str]:
    """Deploy every version folder under the processes folder, each tested by its scenarios."""
    report = []
    for path in sorted(Path(runtime.processes_dir).glob("*/v*/*.bpmn")):
        try:
            with sessions.begin() as session:
                outcome = deploy_version(session, runtime, path, DEMO_ACTOR, untested_because=None)
            result = outcome.deployment
            report.append(f"{path}: {'deployed' if result.created else 'unchanged'}")
            report += [f"{path}: warning: {warning}" for warning in result.warnings]
        except DeployError as error:
            report.append(f"{path}: refused: {error}")
    return report


def seed_messages(sessions: sessionmaker[Session], runtime: Runtime, municipality: str) -> int:
    """Receive the demo messages as they arrived hours ago, and walk them forward from then."""
    settings = load_municipality(municipality, runtime.processes_dir)
    departments = [item.id for item in settings.departments]
    # The demo posts are VK links; a municipality that takes no VK messages gets its first source.
    source = "vk" if "vk" in settings.sources else settings.sources[0]
    seeded = 0
    for external_id, hours_ago, text, steps in DEMO_MESSAGES:
        # Each case lives its past on a virtual clock, so its deadlines are set as they would
        # have been; the worker then finds the passed ones and records the violations.
        clock = VirtualClock(runtime.clock.now() - timedelta(hours=hours_ago))
        past = replace(runtime, clock=clock)
        incoming = {
            "municipality": municipality,
            "source": source,
            "external_id": f"{municipality}-{external_id}",
            "author": "Житель города",
            "author_id": f"vk-{external_id}",
            "text": text,
            "url": f"https://vk.com/wall-1_{external_id.removeprefix('demo-')}",
            "received_at": clock.now().isoformat(),
        }
        try:
            with sessions.begin() as session:
                case = receive_message(session, past, incoming, DEMO_ACTOR).result.instance.id
        except DuplicateMessage:
            continue

        def pace(clock: VirtualClock = clock) -> None:
            clock.set(min(clock.now() + STEP_PACE, runtime.clock.now()))

        localized = [(key, _localized(data, departments)) for key, data in steps]
        walk(sessions, past, case, localized, pace)
        seeded += 1
    return seeded


def _localized(data: dict[str, Any], departments: list[str]) -> dict[str, Any]:
    # The demo names departments of the example; a real municipality routes to its own.
    if "departments" not in data or not departments:
        return data
    return {**data, "departments": departments[: len(data["departments"])]}


def walk(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    case: int,
    steps: list[tuple[str, dict[str, Any]]],
    pace: Callable[[], None] = lambda: None,
) -> None:
    """Complete the case's open tasks by form key, step by step, whatever their element ids.

    A step whose form the regulation does not use is skipped; forms in between that have
    filler data (forwarding, approval, a notice) are completed on the way; the walk stops
    where the regulation refuses the data.
    """
    for key, data in steps:
        for _ in range(MAX_FILLERS):
            open_keys = _open_form_keys(sessions, case)
            if key in open_keys or not open_keys & FILLERS.keys() - {key}:
                break
            filler = sorted(open_keys & FILLERS.keys())[0]
            pace()
            if not _complete_all(sessions, runtime, case, filler, FILLERS[filler]):
                return
        if key not in _open_form_keys(sessions, case):
            continue
        pace()
        if not _complete_all(sessions, runtime, case, key, data):
            return


def _open_form_keys(sessions: sessionmaker[Session], case: int) -> set[str]:
    with sessions() as session:
        query = select(OpenUserTask.form_key).where(OpenUserTask.instance_id == case)
        return set(session.scalars(query))


def _complete_all(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, key: str, data: dict[str, Any]
) -> bool:
    with sessions() as session:
        task_ids = list(
            session.scalars(
                select(OpenUserTask.task_id).where(
                    OpenUserTask.instance_id == case, OpenUserTask.form_key == key
                )
            )
        )
    for task_id in task_ids:
        try:
            with sessions.begin() as session:
                checked = _checklists_confirmed(session, runtime, case, key, data)
                complete_task(session, runtime, task_id, checked, DEMO_ACTOR)
        except (FormError, StaleTaskError, InstanceNotRunning, RuntimeError):
            return False
    return True


def _checklists_confirmed(
    session: Session, runtime: Runtime, case: int, key: str, data: dict[str, Any]
) -> dict[str, Any]:
    # Demo staff confirm every item of a regulation's checklist (Elets, п. 7) as they go.
    form = version_forms(session, runtime, case).form(key)
    items = {
        spec.name: list(spec.choice_values) for spec in form.fields if spec.kind == "checklist"
    }
    return {**items, **data}


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
