"""The element catalog: ids, names, lanes, forms, clauses and timers read from a BPMN file."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# «Пермь, п. 3.2.1», «Елец, п. 7», «Палана, пп. 10–11»: municipality, clause number(s).
CLAUSE_PATTERN = re.compile(
    r"«?([А-ЯЁ][а-яё-]+),\s*пп?\.\s*(\d+(?:\.\d+)*(?:\s*[–-]\s*\d+(?:\.\d+)*)?)»?"
)

FLOW_NODE_TAGS = (
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "task",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
)


@dataclass
class TimerInfo:
    """A timer's kind (timeDate, timeDuration, timeCycle) and its expression."""

    kind: str
    expression: str


@dataclass
class ElementInfo:
    """What the engine and the UI need to know about one diagram element."""

    id: str
    type: str
    name: str
    lane: str | None
    documentation: str
    clauses: list[str]
    properties: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None
    cancel_activity: bool = True
    timer: TimerInfo | None = None


def clauses_in(text: str) -> list[str]:
    """Clause references found in a documentation text, normalised as «Город, п. N»."""
    return [
        f"{city}, п. {number.replace(' ', '')}" for city, number in CLAUSE_PATTERN.findall(text)
    ]


def _documentation(node: Any) -> str:
    return "\n".join(
        (doc.text or "").strip() for doc in node.findall("bpmn:documentation", NS)
    ).strip()


def _properties(node: Any) -> dict[str, str]:
    found = node.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
    )
    return {prop.get("name"): prop.get("value", "") for prop in found}


def _timer(node: Any) -> TimerInfo | None:
    definition = node.find("bpmn:timerEventDefinition", NS)
    if definition is None:
        return None
    for kind in ("timeDate", "timeDuration", "timeCycle"):
        expression = definition.find(f"bpmn:{kind}", NS)
        if expression is not None:
            return TimerInfo(kind=kind, expression=(expression.text or "").strip())
    return TimerInfo(kind="none", expression="")


def _lanes_by_node(process: Any) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    node_lane: dict[str, str] = {}
    lanes: dict[str, dict[str, Any]] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        lane_id = lane.get("id")
        documentation = _documentation(lane)
        lanes[lane_id] = {
            "id": lane_id,
            "name": lane.get("name", ""),
            "documentation": documentation,
            "clauses": clauses_in(documentation),
        }
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            node_lane[(ref.text or "").strip()] = lane_id
    return node_lane, lanes


def build_catalog(root: Any, process_id: str) -> dict[str, Any]:
    """Read the catalog of one executable process from a parsed BPMN document."""
    process = root.find(f"bpmn:process[@id='{process_id}']", NS)
    node_lane, lanes = _lanes_by_node(process)
    elements: dict[str, dict[str, Any]] = {}
    for tag in FLOW_NODE_TAGS:
        for node in process.iter(f"{{{BPMN_NS}}}{tag}"):
            documentation = _documentation(node)
            info = ElementInfo(
                id=node.get("id"),
                type=tag,
                name=node.get("name", "") or "",
                lane=node_lane.get(node.get("id")),
                documentation=documentation,
                clauses=clauses_in(documentation),
                properties=_properties(node),
                attached_to=node.get("attachedToRef"),
                cancel_activity=node.get("cancelActivity", "true") != "false",
                timer=_timer(node),
            )
            elements[info.id] = asdict(info)
    return {
        "process_id": process_id,
        "name": process.get("name", ""),
        "documentation": _documentation(process),
        "lanes": lanes,
        "elements": elements,
    }


def parse_xml(xml: bytes) -> Any:
    """Parse BPMN XML safely (no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.fromstring(xml, parser=parser)
