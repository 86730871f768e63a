"""Version order, unique labels, settings snapshots, activation now, on a date, and back."""

from __future__ import annotations

import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.models import AuditEvent, ProcessInstance, VersionActivation
from engine.municipalities import regulation_calendar
from engine.queries.timing import version_calendar
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versioning.activation import ActivationError, perform_due, rollback, schedule
from engine.versioning.labels import label_key
from engine.versioning.listing import version_rows
from engine.versions import (
    DeployError,
    active_version,
    clear_cache,
    deploy_file,
    load_version,
)
from engine.worktime.loader import clear_cache as clear_calendars
from tests.engine.helpers import send
from tests.engine.versioning.helpers import deploy, example_processes


@pytest.fixture
def admin_runtime(clock: VirtualClock, tmp_path: Path) -> Runtime:
    """The runtime on a processes folder of its own (the tests edit its files)."""
    return Runtime(clock=clock, processes_dir=example_processes(tmp_path))


def _active_label(sessions: sessionmaker[Session], now: object = None) -> str:
    with sessions() as session:
        return active_version(session, "example", now).label  # type: ignore[arg-type]


def _count(sessions: sessionmaker[Session], kind: AuditKind) -> int:
    with sessions() as session:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)
        return int(session.scalar(query) or 0)


def test_labels_sort_in_version_order() -> None:
    labels = ["v10", "v2", "v1", "v2a", "draft"]
    assert sorted(labels, key=label_key) == ["draft", "v1", "v2", "v2a", "v10"]


def test_versions_list_in_version_order_with_running_cases(
    sessions: sessionmaker[Session], admin_runtime: Runtime
) -> None:
    root = Path(admin_runtime.processes_dir) / "example"
    shutil.copytree(root / "v2", root / "v10")
    (root / "v10" / "example.bpmn").write_text(
        (root / "v2" / "example.bpmn").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    for label in ("v10", "v1", "v2"):
        deploy(sessions, admin_runtime, label)
    send(sessions, admin_runtime, "1")
    with sessions() as session:
        rows = version_rows(session, "example")
    assert [row.label for row in rows] == ["v1", "v2", "v10"]
    assert [row.running for row in rows] == [0, 1, 0]
    assert [row.active for row in rows] == [False, True, False]
    assert rows[1].as_json()["sha256"] == rows[1].sha256[:12]


def test_other_content_under_a_deployed_label_is_refused(
    sessions: sessionmaker[Session], admin_runtime: Runtime
) -> None:
    deploy(sessions, admin_runtime, "v1")
    bpmn = Path(admin_runtime.processes_dir) / "example" / "v1" / "example.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with sessions.begin() as session, pytest.raises(DeployError, match=r"«v1».*уже развёрнута"):
        deploy_file(session, admin_runtime, bpmn, "admin")


def test_redeploying_an_older_version_keeps_the_active_one(
    sessions: sessionmaker[Session], admin_runtime: Runtime
) -> None:
    v1 = deploy(sessions, admin_runtime, "v1")
    deploy(sessions, admin_runtime, "v2")
    again = deploy(sessions, admin_runtime, "v1")
    assert again.id == v1.id and _active_label(sessions) == "v2"


def test_running_cases_keep_the_settings_of_their_version(
    sessions: sessionmaker[Session], admin_runtime: Runtime, tmp_path: Path
) -> None:
    v1 = deploy(sessions, admin_runtime, "v1")
    settings = Path(admin_runtime.processes_dir) / "example" / "municipality.yaml"
    text = settings.read_text(encoding="utf-8")
    start = admin_runtime.clock.now()
    with sessions() as session:
        before = load_version(session.get_one(type(v1), v1.id), admin_runtime)
        due_before = before.reader.due(start, "3 рабочих часа")
    # The office now opens at noon on Mondays: the file changes, the deployed version does not.
    settings.write_text(text.replace('mon: "09:00-18:00"', 'mon: "12:00-18:00"'), encoding="utf-8")
    clear_cache()
    clear_calendars()
    with sessions() as session:
        after = load_version(session.get_one(type(v1), v1.id), admin_runtime)
    assert after.reader.due(start, "3 рабочих часа") == due_before
    shown = version_calendar(  # the task list counts time left the same way
        v1.sha256, "example", admin_runtime.processes_dir, lambda: v1.settings_yaml
    )
    assert shown.due(start, "3 рабочих часа") == due_before
    today = regulation_calendar("example", admin_runtime.processes_dir)
    assert today.due(start, "3 рабочих часа") != due_before  # the file did change
    # Deploying the folder again is a new content under the same label: refused, not silent.
    bpmn = Path(admin_runtime.processes_dir) / "example" / "v1" / "example.bpmn"
    with sessions.begin() as session, pytest.raises(DeployError, match=r"municipality\.yaml"):
        deploy_file(session, admin_runtime, bpmn, "admin")


def test_rollback_returns_to_the_previous_version_and_is_audited(
    sessions: sessionmaker[Session], admin_runtime: Runtime
) -> None:
    deploy(sessions, admin_runtime, "v1")
    with sessions.begin() as session, pytest.raises(ActivationError, match="первая"):
        rollback(session, "example", "admin", admin_runtime.clock.now())
    deploy(sessions, admin_runtime, "v2")
    with sessions.begin() as session:
        rollback(session, "example", "admin", admin_runtime.clock.now())
    assert _active_label(sessions) == "v1"
    assert _count(sessions, AuditKind.VERSION_ROLLED_BACK) == 1
    with sessions.begin() as session:  # the previous active one of v1 is now v2
        rollback(session, "example", "admin", admin_runtime.clock.now())
    assert _active_label(sessions) == "v2"


def test_a_scheduled_switch_takes_new_messages_after_its_moment(
    sessions: sessionmaker[Session], admin_runtime: Runtime, clock: VirtualClock
) -> None:
    deploy(sessions, admin_runtime, "v1")
    v2 = deploy(sessions, admin_runtime, "v2", activate=False)
    moment = clock.now() + timedelta(hours=1)
    with sessions.begin() as session:
        schedule(session, session.get_one(type(v2), v2.id), "admin", clock.now(), moment)
    before = send(sessions, admin_runtime, "1").message.instance_id
    clock.advance(timedelta(hours=1, minutes=1))
    after = send(
        sessions, admin_runtime, "2", author_id="id200"
    ).message.instance_id  # no worker ran
    with sessions() as session:
        versions = [session.get_one(ProcessInstance, i).version_id for i in (before, after)]
    assert versions[1] == v2.id != versions[0]
    assert _active_label(sessions) == "v1"  # not yet switched: the worker does it
    with sessions.begin() as session:
        assert len(perform_due(session, clock.now())) == 1
    with sessions.begin() as session:
        assert perform_due(session, clock.now()) == []
    assert _active_label(sessions) == "v2"
    assert _count(sessions, AuditKind.VERSION_SCHEDULED) == 1


def test_two_workers_perform_a_scheduled_switch_exactly_once(
    sessions: sessionmaker[Session], admin_runtime: Runtime, clock: VirtualClock
) -> None:
    deploy(sessions, admin_runtime, "v1")
    v2 = deploy(sessions, admin_runtime, "v2", activate=False)
    with sessions.begin() as session:
        version = session.get_one(type(v2), v2.id)
        schedule(session, version, "admin", clock.now(), clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=6))
    start = threading.Barrier(2)
    performed: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            with sessions.begin() as session:
                performed.extend(row.id for row in perform_due(session, clock.now()))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(performed) == 1
    with sessions() as session:
        row = session.scalars(select(VersionActivation).where(VersionActivation.id == performed[0]))
        assert row.one().performed_at is not None
    assert _count(sessions, AuditKind.VERSION_ACTIVATED) == 2  # v1 at deploy, v2 once
    assert _active_label(sessions) == "v2"
