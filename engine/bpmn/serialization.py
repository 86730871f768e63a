"""Specs stored once per version; instance state stored without its spec."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec and restores it onto a cached spec."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, BpmnProcessSpec],
        script_engine: Any = None,
    ) -> BpmnWorkflow:
        workflow = self.target_class(
            spec, subprocess_specs, script_engine=script_engine, deserializing=True
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    return BpmnWorkflowSerializer.configure(config)


SERIALIZER = BpmnWorkflowSerializer(_registry())
# States are dumped by a registry of their own, always in SpiffWorkflow's encoder mode (as its
# own `serialize_json` does): task data goes to the JSON encoder as it is, and only values the
# encoder cannot write (datetimes, UUIDs) are converted, instead of a Python walk over every
# value first. Being only ever used so, the mode flag never changes under another thread.
_DUMPER = BpmnWorkflowSerializer(_registry())
_DUMPER.registry._encoder_mode = True


def spec_to_dict(spec: BpmnProcessSpec, subprocess_specs: dict[str, Any]) -> dict[str, Any]:
    """The parsed spec and its subprocess specs as JSON-ready data, stored once per version."""
    registry = SERIALIZER.registry
    return {
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(sub) for name, sub in subprocess_specs.items()},
    }


def spec_from_dict(dct: dict[str, Any]) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Restore a version's spec and subprocess specs."""
    registry = SERIALIZER.registry
    subprocess_specs = {
        name: registry.restore(sub) for name, sub in dct["subprocess_specs"].items()
    }
    return registry.restore(dct["spec"]), subprocess_specs


def dump_state(workflow: BpmnWorkflow) -> str:
    """A workflow's state as JSON, without the spec."""
    dct = _DUMPER.to_dict(workflow)
    dct[_DUMPER.VERSION_KEY] = _DUMPER.VERSION
    return json.dumps(dct, cls=_DUMPER._encoder_cls, ensure_ascii=False, separators=(",", ":"))


def load_state(
    state: str,
    spec: BpmnProcessSpec,
    subprocess_specs: dict[str, BpmnProcessSpec],
    script_engine: Any,
) -> BpmnWorkflow:
    """Restore a workflow from its stored state onto its version's cached spec."""
    dct = json.loads(state)
    SERIALIZER.migrate(dct)
    return SERIALIZER.registry.restore(
        dct, spec=spec, subprocess_specs=subprocess_specs, script_engine=script_engine
    )


def full_serialization(workflow: BpmnWorkflow) -> str:
    """SpiffWorkflow's own full serialization, spec included (for size comparisons)."""
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return serializer.serialize_json(workflow)
