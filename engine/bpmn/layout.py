"""How a diagram reads, measured from its diagram interchange: crossings, overlaps, broken words.

A lawyer reads the regulation from the drawing, so the drawing is checked like the process:
flows that cross each other, labels that sit on a shape, on another label or under a flow, a
named event, gateway or flow whose label the file does not place (a viewer would guess), and
task names with a word too long for its box (the viewer breaks it mid-word).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.catalog import BPMN_NS, parse_xml

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
OMG_DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
# bpmn-js draws task names at 12px in a box padded by 5px; a Cyrillic letter is ~7px wide there.
CHAR_WIDTH = 7.0
TASK_PADDING = 10.0
LABELLED_OUTSIDE = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"}
    | {"boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway"}
    | {"eventBasedGateway"}
)
TASKS = frozenset(
    {"userTask", "scriptTask", "serviceTask", "manualTask", "task", "receiveTask"}
    | {"sendTask", "businessRuleTask", "callActivity", "subProcess"}
)


@dataclass(frozen=True)
class Box:
    """A rectangle of the drawing."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        """Whether two rectangles share area (touching edges do not count)."""
        return (
            self.x + margin < other.x + other.width
            and other.x + margin < self.x + self.width
            and self.y + margin < other.y + other.height
            and other.y + margin < self.y + self.height
        )

    def contains(self, other: Box) -> bool:
        """Whether `other` lies wholly inside this rectangle."""
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.x + other.width <= self.x + self.width
            and other.y + other.height <= self.y + self.height
        )


Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass
class Layout:
    """The drawing of one process: shapes, labels and flow paths by element id."""

    shapes: dict[str, Box] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)
    flows: dict[str, list[Point]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    attached: dict[str, str] = field(default_factory=dict)  # boundary event → its activity


@dataclass
class LayoutReport:
    """What makes a diagram hard to read, each item naming the elements involved."""

    crossings: list[tuple[str, str]] = field(default_factory=list)
    overlapping_labels: list[tuple[str, str]] = field(default_factory=list)
    labels_under_flows: list[tuple[str, str]] = field(default_factory=list)
    unplaced_labels: list[str] = field(default_factory=list)
    broken_words: list[tuple[str, str]] = field(default_factory=list)


def read_layout(xml: bytes) -> Layout:
    """The shapes, labels and flows of a BPMN file's diagram interchange."""
    root = parse_xml(xml)
    layout = Layout()
    for node in root.iter():
        tag = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""
        if node.get("id") and tag and node.tag.startswith(f"{{{BPMN_NS}}}"):
            layout.types[node.get("id")] = tag
            layout.names[node.get("id")] = (node.get("name") or "").strip()
            if tag == "boundaryEvent":
                layout.attached[node.get("id")] = node.get("attachedToRef", "")
    for shape in root.iter(f"{{{DI_NS}}}BPMNShape"):
        element = shape.get("bpmnElement", "")
        bounds = shape.find(f"{{{DC_NS}}}Bounds")
        if bounds is not None:
            layout.shapes[element] = _box(bounds)
        label = shape.find(f"{{{DI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
        if label is not None:
            layout.labels[element] = _box(label)
    for edge in root.iter(f"{{{DI_NS}}}BPMNEdge"):
        element = edge.get("bpmnElement", "")
        points = [
            (float(point.get("x", 0)), float(point.get("y", 0)))
            for point in edge.findall(f"{{{OMG_DI_NS}}}waypoint")
        ]
        layout.flows[element] = points
        label = edge.find(f"{{{DI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
        if label is not None:
            layout.labels[element] = _box(label)
    return layout


def _box(node: Any) -> Box:
    return Box(*(float(node.get(key, 0)) for key in ("x", "y", "width", "height")))


def check_layout(layout: Layout) -> LayoutReport:
    """Measure what a reader stumbles on; the report lists each instance."""
    report = LayoutReport()
    sequence = {
        flow: points
        for flow, points in layout.flows.items()
        if layout.types.get(flow) == "sequenceFlow" and len(points) > 1
    }
    for (first, a), (second, b) in itertools.combinations(sequence.items(), 2):
        if any(_cross(s, t) for s in _segments(a) for t in _segments(b)):
            report.crossings.append((first, second))
    report.unplaced_labels = _unplaced(layout)
    report.overlapping_labels = list(_overlapping_labels(layout))
    report.labels_under_flows = [
        (label, flow)
        for label, box in layout.labels.items()
        for flow, points in sequence.items()
        if flow != label and any(_hits(segment, box) for segment in _segments(points))
    ]
    report.broken_words = list(_broken_words(layout))
    return report


def _unplaced(layout: Layout) -> list[str]:
    found = []
    for element, kind in layout.types.items():
        named = bool(layout.names.get(element))
        outside = kind in LABELLED_OUTSIDE or (kind == "sequenceFlow")
        drawn = element in layout.shapes or element in layout.flows
        if named and outside and drawn and element not in layout.labels:
            found.append(element)
    return sorted(found)


def _overlapping_labels(layout: Layout) -> Iterator[tuple[str, str]]:
    for (first, a), (second, b) in itertools.combinations(sorted(layout.labels.items()), 2):
        if a.overlaps(b):
            yield first, second
    for label, box in sorted(layout.labels.items()):
        for element, shape in layout.shapes.items():
            if element == label or layout.types.get(element) in ("lane", "participant"):
                continue
            if layout.types.get(element) == "subProcess" and shape.contains(box):
                continue  # a label inside an expanded subprocess sits on its canvas
            if shape.overlaps(box):
                yield label, element


def _broken_words(layout: Layout) -> Iterator[tuple[str, str]]:
    for element, kind in layout.types.items():
        box = layout.shapes.get(element)
        if kind not in TASKS or box is None:
            continue
        room = box.width - TASK_PADDING
        for word in layout.names.get(element, "").split():
            if len(word) * CHAR_WIDTH > room:
                yield element, word


def _segments(points: list[Point]) -> Iterator[Segment]:
    yield from itertools.pairwise(points)


def _cross(s: Segment, t: Segment) -> bool:
    """Whether two segments cross inside both (a shared end or a touch is no crossing)."""
    (p1, p2), (p3, p4) = s, t
    if {p1, p2} & {p3, p4}:
        return False
    d1, d2 = _orient(p3, p4, p1), _orient(p3, p4, p2)
    d3, d4 = _orient(p1, p2, p3), _orient(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _hits(segment: Segment, box: Box) -> bool:
    """Whether a flow segment passes through a label's rectangle (its inside, not its edge)."""
    (x1, y1), (x2, y2) = segment
    inner = Box(box.x + 1, box.y + 1, max(box.width - 2, 0), max(box.height - 2, 0))
    if inner.width == 0 or inner.height == 0:
        return False
    left, right = min(x1, x2), max(x1, x2)
    top, bottom = min(y1, y2), max(y1, y2)
    if right < inner.x or left > inner.x + inner.width:
        return False
    if bottom < inner.y or top > inner.y + inner.height:
        return False
    if x1 == x2 or y1 == y2:  # orthogonal flows: the bounding test is exact
        return True
    corners = [
        (inner.x, inner.y),
        (inner.x + inner.width, inner.y),
        (inner.x, inner.y + inner.height),
        (inner.x + inner.width, inner.y + inner.height),
    ]
    sides = {(_orient((x1, y1), (x2, y2), corner) > 0) for corner in corners}
    return len(sides) == 2
