"""In-process caches of an engine: versions by id, and live workflows published after commit.

Both are keyed by the SQLAlchemy engine (a weak key: a disposed test database takes its entries
with it), so two databases never share an id. A live workflow is the exact object whose dump was
committed as a case's state: `take_live` hands it out only when the locked row carries the
same revision and the same state text, and removes it, so no two advances share one object and
an advance that rolls back leaves nothing behind (its workflow was never published). With it go
the case's deadline and open-task rows as that commit left them (engine/live_rows.py).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, defer

from engine.live_rows import Rows, attached, committed, row_kind
from engine.models import CaseDeadline, OpenUserTask, ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.versions import LARGE_VERSION_COLUMNS, LoadedVersion, load_version

# Per database, the cases advanced most recently in this process, bounded by the size of their
# state text: a loaded workflow takes about four bytes per character of its dump (measured on
# Perm's cases: 75 KiB for an 18,000-character state), so this budget is about 64 MiB. In a
# month's simulation of Perm's stream 306 of 12,166 advances loaded a state (1,680 with 256 cases).
LIVE_STATE_CHARS = 16 * 2**20
_PENDING = "reglament_live_workflows"  # session.info key: workflows saved, not yet committed


@dataclass(frozen=True)
class _Live:
    revision: int
    state: str
    workflow: BpmnWorkflow
    # The case's rows as committed (engine/live_rows.py); None: read them (not known for sure).
    deadlines: Rows | None = None
    open_tasks: Rows | None = None


@dataclass(frozen=True)
class _Pending:
    revision: int
    state: str
    workflow: BpmnWorkflow
    deadlines: list[CaseDeadline]
    open_tasks: list[OpenUserTask]


@dataclass(frozen=True)
class LiveCase:
    """A locked case's committed workflow and, when known, its rows in this session."""

    workflow: BpmnWorkflow
    deadlines: list[CaseDeadline] | None
    open_tasks: dict[str, OpenUserTask] | None


DEADLINES = row_kind(CaseDeadline, mutable=["holders"])
OPEN_TASKS = row_kind(OpenUserTask, not_kept=["assignee"])  # claims write it, not advances


class _EngineCache:
    """One database's versions by id and live workflows by instance id (callers hold _LOCK)."""

    def __init__(self) -> None:
        self.versions: dict[tuple[int, str], LoadedVersion] = {}
        self.workflows: OrderedDict[int, _Live] = OrderedDict()
        self.state_chars = 0  # of the workflows held

    def take(self, instance_id: int) -> _Live | None:
        """Remove and return a case's live workflow."""
        live = self.workflows.pop(instance_id, None)
        if live is not None:
            self.state_chars -= len(live.state)
        return live

    def put(self, instance_id: int, live: _Live) -> None:
        """Hold a case's live workflow as the newest, the oldest leaving beyond the budget."""
        self.take(instance_id)
        self.workflows[instance_id] = live
        self.state_chars += len(live.state)
        while self.state_chars > LIVE_STATE_CHARS and len(self.workflows) > 1:
            _, oldest = self.workflows.popitem(last=False)
            self.state_chars -= len(oldest.state)


_CACHES: weakref.WeakKeyDictionary[Engine, _EngineCache] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _cache_of(session: Session) -> _EngineCache | None:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    if engine is None:
        return None
    with _LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = _EngineCache()
        return cache


def loaded_version_by_id(session: Session, runtime: Runtime, version_id: int) -> LoadedVersion:
    """A version's runtime form by its id, without a query once this database has read it."""
    cache = _cache_of(session)
    key = (version_id, str(runtime.processes_dir))
    if cache is not None:
        with _LOCK:
            loaded = cache.versions.get(key)
        if loaded is not None:
            return loaded
    version = session.scalars(
        select(ProcessVersion)
        .where(ProcessVersion.id == version_id)
        .options(*(defer(column) for column in LARGE_VERSION_COLUMNS))  # read on a cache miss
    ).one()
    loaded = load_version(version, runtime)
    if cache is not None:  # versions never change: an id names the same content for good
        with _LOCK:
            cache.versions[key] = loaded
    return loaded


def take_live(
    session: Session, instance: ProcessInstance, loaded: LoadedVersion
) -> LiveCase | None:
    """The committed live workflow of a locked case, if it is exactly the row's state."""
    cache = _cache_of(session)
    if cache is None:
        return None
    with _LOCK:
        live = cache.take(instance.id)
    if live is None or live.revision != instance.revision or live.state != instance.state:
        return None
    workflow = live.workflow
    same_version = workflow.spec is loaded.spec_of(instance.process_id)
    if not same_version or workflow.script_engine is not loaded.script_engine:
        return None
    tasks = attached(session, OPEN_TASKS, live.open_tasks)
    return LiveCase(
        workflow,
        attached(session, DEADLINES, live.deadlines),
        None if tasks is None else {task.task_id: task for task in tasks},
    )


def publish_after_commit(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    deadlines: list[CaseDeadline],
    open_tasks: list[OpenUserTask],
) -> None:
    """Offer a flushed case's workflow and rows to later advances once (and only if) it commits."""
    pending: dict[int, _Pending] = session.info.setdefault(_PENDING, {})
    if instance.status is not InstanceStatus.RUNNING:
        # No advance opens a finished case again: holding it would only push out running ones.
        pending.pop(instance.id, None)
        return
    # The row as just flushed: its revision and its state are exactly this workflow's dump.
    pending[instance.id] = _Pending(
        instance.revision, instance.state, workflow, list(deadlines), list(open_tasks)
    )


def forget(session: Session, instance_id: int) -> None:
    """Drop a case's live workflow (its state changed outside an advance)."""
    session.info.get(_PENDING, {}).pop(instance_id, None)
    cache = _cache_of(session)
    if cache is not None:
        with _LOCK:
            cache.take(instance_id)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    pending: dict[int, _Pending] = session.info.pop(_PENDING, {})
    if not pending:
        return
    cache = _cache_of(session)
    if cache is None:
        return
    published = {
        instance_id: _Live(
            p.revision,
            p.state,
            p.workflow,
            committed(DEADLINES, p.deadlines),
            committed(OPEN_TASKS, p.open_tasks),
        )
        for instance_id, p in pending.items()
    }
    with _LOCK:
        for instance_id, live in published.items():
            cache.put(instance_id, live)


@event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)
