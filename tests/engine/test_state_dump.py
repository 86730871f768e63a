"""A case's state is dumped in SpiffWorkflow's encoder mode: the same text, less work."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.serialization import SERIALIZER, dump_state, load_state
from engine.instances import read_workflow
from engine.runtime import Runtime
from engine.versions import LoadedVersion, load_version
from tests.engine.helpers import deploy_example, send

AWKWARD = {
    "at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    "ids": [UUID(int=7), {"nested": datetime(2026, 3, 3, tzinfo=UTC)}],
    "pair": ("a", 1),
    "text": "Здравствуйте",
    "deep": {"list": [[1, 2], {"none": None, "flag": True}]},
}


def _walked(workflow: BpmnWorkflow) -> str:
    """The state as the registry's full Python walk writes it (how states were dumped before)."""
    dct = SERIALIZER.to_dict(workflow)
    dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    return json.dumps(dct, cls=SERIALIZER._encoder_cls, ensure_ascii=False, separators=(",", ":"))


def _case(sessions: sessionmaker[Session], runtime: Runtime) -> tuple[BpmnWorkflow, LoadedVersion]:
    version = deploy_example(sessions, runtime)
    instance_id = send(sessions, runtime).result.instance.id
    with sessions() as session:
        workflow = read_workflow(session, runtime, instance_id)
    return workflow, load_version(version, runtime)


def test_the_dump_is_the_walked_text_and_restores_the_same_data(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    workflow, loaded = _case(sessions, runtime)
    for task in workflow.get_tasks():
        task.data.update(AWKWARD)
    workflow.data.update(AWKWARD)
    state = dump_state(workflow)
    assert state == _walked(workflow)
    restored = load_state(
        state, loaded.spec_of(None), loaded.subprocess_specs, loaded.script_engine
    )
    assert restored.data["at"] == AWKWARD["at"]
    assert restored.data["ids"] == [UUID(int=7), {"nested": datetime(2026, 3, 3, tzinfo=UTC)}]
    assert restored.data["deep"] == AWKWARD["deep"]


def test_dumping_leaves_the_shared_registry_walking(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    # Versions' specs are converted by the shared registry: its mode must never flip.
    workflow, _ = _case(sessions, runtime)
    dump_state(workflow)
    assert SERIALIZER.registry.convert({"at": AWKWARD["at"]}) == {
        "at": {"value": "2026-03-02T09:30:00+00:00", "typename": "datetime"}
    }
