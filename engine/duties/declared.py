"""Scheduled duties declared in a BPMN file: processes that a timer start event begins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition

from engine.bpmn.catalog import BPMN_NS, NS, build_catalog, clauses_in
from engine.worktime.schedule import ScheduleError, parse_schedule

ROLE_PROPERTY = "role"


class DutyError(ValueError):
    """A scheduled duty declared wrongly: the element and the reason, in Russian."""

    def __init__(self, reason: str, element_id: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.element_id = element_id


@dataclass(frozen=True)
class DutyDecl:
    """One duty: its process, the timer start event and the schedule text it carries."""

    process_id: str
    start_event: str
    name: str
    schedule: str
    clauses: tuple[str, ...] = ()


def duties_in(root: Any) -> list[DutyDecl]:
    """Every executable process whose start event is a timer cycle (the schedule)."""
    found: list[DutyDecl] = []
    for process in root.findall("bpmn:process", NS):
        cycles = [
            event
            for event in process.findall("bpmn:startEvent", NS)
            if event.find("bpmn:timerEventDefinition/bpmn:timeCycle", NS) is not None
        ]
        if not cycles:
            continue
        if len(cycles) > 1 or len(process.findall("bpmn:startEvent", NS)) > 1:
            raise DutyError(
                "у периодической обязанности должно быть одно стартовое событие-таймер",
                process.get("id"),
            )
        found.append(_declared(process, cycles[0]))
    return found


def _declared(process: Any, event: Any) -> DutyDecl:
    cycle = event.find("bpmn:timerEventDefinition/bpmn:timeCycle", NS)
    text = (cycle.text or "").strip()
    try:
        parse_schedule(text)
    except ScheduleError as error:
        raise DutyError(str(error), event.get("id")) from error
    notes = [*process.findall("bpmn:documentation", NS), *event.findall("bpmn:documentation", NS)]
    clauses = [clause for node in notes for clause in clauses_in(node.text or "")]
    return DutyDecl(
        process.get("id"),
        event.get("id"),
        process.get("name") or event.get("name") or "",
        text,
        tuple(dict.fromkeys(clauses)),
    )


def plain_start(spec: BpmnProcessSpec, start_event: str) -> None:
    """The worker, not SpiffWorkflow, keeps the schedule: an occurrence starts at once."""
    spec.task_specs[start_event].event_definition = NoneEventDefinition()


def add_to_catalog(catalog: dict[str, Any], root: Any, duties: list[DutyDecl]) -> None:
    """Merge the duties' elements into the version's catalog, their lanes read as roles."""
    catalog["duties"] = {}
    for duty in duties:
        own = build_catalog(root, duty.process_id)
        roles = _lane_roles(root, duty.process_id)
        for lane_id, lane in own["lanes"].items():
            catalog["lanes"].setdefault(roles[lane_id], {**lane, "id": roles[lane_id]})
        for element_id, element in own["elements"].items():
            lane = element.get("lane")
            catalog["elements"][element_id] = {**element, "lane": roles.get(lane, lane)}
        catalog["duties"][duty.process_id] = {**asdict(duty), "elements": sorted(own["elements"])}


def from_catalog(raw: dict[str, Any]) -> DutyDecl:
    """A duty as the version's catalog stores it."""
    return DutyDecl(
        raw["process_id"],
        raw["start_event"],
        raw["name"],
        raw["schedule"],
        tuple(raw.get("clauses") or ()),
    )


def span_applies(catalog: dict[str, Any], process_id: str | None, until: Iterable[str]) -> bool:
    """A span deadline belongs to the process holding the step that ends it (not to every case)."""
    duties = catalog.get("duties") or {}
    ends = set(until)
    if process_id is not None:
        return bool(ends & set(duties.get(process_id, {}).get("elements", ())))
    in_duties = {element for duty in duties.values() for element in duty.get("elements", ())}
    return not ends or bool(ends - in_duties)


def _lane_roles(root: Any, process_id: str) -> dict[str, str]:
    """A duty's lane stands for a role of the main process: its `role` property, or its id."""
    process = root.find(f"bpmn:process[@id='{process_id}']", NS)
    roles: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        found = lane.find(
            f"bpmn:extensionElements/spiffworkflow:properties/"
            f"spiffworkflow:property[@name='{ROLE_PROPERTY}']",
            NS,
        )
        roles[lane.get("id")] = found.get("value") if found is not None else lane.get("id")
    return roles


def duty_ids(root: Any) -> set[str]:
    """The ids of the duty processes (not the message process)."""
    return {duty.process_id for duty in duties_in(root)}
