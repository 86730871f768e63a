"""Engine core, part 3: stored bytes per case against SpiffWorkflow's own serialization."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.bench_engine import ACTOR, DEPARTMENTS, FORM_DATA
from benchmarks.common import (
    deploy_example,
    kib,
    make_runtime,
    message_fields,
    new_sessions,
    show,
    sqlite_database,
)
from benchmarks.report import REPORT
from engine.bpmn.serialization import load_state
from engine.instances import complete_task
from engine.intake import receive_message
from engine.models import OpenUserTask, ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.versions import load_version


def _case_at_draft(sessions: sessionmaker[Session], runtime: Runtime, clock: Any) -> int:
    """A case routed to both departments, waiting at draft_answer."""
    with sessions.begin() as session:
        result = receive_message(session, runtime, message_fields(1, clock), ACTOR).result
    for element in ("screen", "route"):
        with sessions() as session:
            task_id = session.scalars(
                select(OpenUserTask.task_id).where(OpenUserTask.element_id == element)
            ).one()
        with sessions.begin() as session:
            complete_task(session, runtime, task_id, FORM_DATA[element], ACTOR)
    return result.instance.id


def bench_storage(folder: Path) -> None:
    """Bytes of a stored case versus SpiffWorkflow's full serialization with the spec."""
    print(f"== 3. Stored bytes per case (waiting at draft_answer, {len(DEPARTMENTS)} departments)")
    with sqlite_database(folder) as engine:  # bytes do not depend on the database
        sessions = new_sessions(engine)
        clock, runtime = make_runtime()
        version_id = deploy_example(sessions, runtime).id
        instance_id = _case_at_draft(sessions, runtime, clock)
        with sessions() as session:
            instance = session.get_one(ProcessInstance, instance_id)
            version = session.get_one(ProcessVersion, version_id)
            _print_sizes(instance, version)


def spiff_full_serialization(workflow: BpmnWorkflow) -> str:
    """SpiffWorkflow's own serialize_json, spec included, with the Spiff task-spec converters."""
    # engine.bpmn.serialization.full_serialization uses the default (non-Spiff) registry and
    # raises TypeError on this spec's Spiff ScriptTask, so the benchmark configures its own.
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return serializer.serialize_json(workflow)


def _compact(data: Any) -> str:
    """JSON as the engine stores it: UTF-8 text, no spaces."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _print_sizes(instance: ProcessInstance, version: ProcessVersion) -> None:
    """Stored state, full serialization and per-version spec sizes, with the ratio."""
    if instance.status is not InstanceStatus.RUNNING:
        raise RuntimeError("the storage case should be waiting")
    _, runtime = make_runtime()
    loaded = load_version(version, runtime)
    workflow = load_state(instance.state, loaded.spec, loaded.subprocess_specs, None)
    stored = len(instance.state.encode())
    full_json = spiff_full_serialization(workflow)
    full = len(full_json.encode())
    unescaped = len(_compact(json.loads(full_json)).encode())
    spec = len(_compact(version.spec).encode())
    show("process_instances.state (engine, UTF-8)", kib(stored))
    REPORT.add("engine", "state bytes at draft_answer", stored, "B")
    show(
        "SpiffWorkflow serialize_json (spec included)",
        kib(full),
        f"stored/full {stored / full:.2f}",
    )
    show(
        "  same, compact and without \\u escapes",
        kib(unescaped),
        f"stored/full {stored / unescaped:.2f}",
    )
    show("process_versions.spec (once per version)", kib(spec))
    show("process_versions.bpmn_xml (once per version)", kib(len(version.bpmn_xml.encode())))
    print()
