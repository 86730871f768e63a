"""Place the labels a BPMN file leaves to the viewer, where they touch no shape, label or flow.

    python tools/place_labels.py processes/<m>/v1/<m>.bpmn [--write]

A named event, gateway or flow without label bounds is drawn wherever the viewer guesses, often on
a shape; engine/bpmn/layout.py reports it as unplaced. This tool tries a few positions around each
(below, above, right, left of a shape; beside the longest segment of a flow; then, in a crowded
diagram, a grid around the shape, nearest first, and further along each segment) and writes the
first free one into the diagram interchange, editing the text in place so the diff stays small.
To re-place a label that overlaps, delete its BPMNLabel and run the tool again.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.bpmn.layout import Box, Layout, _hits, _segments, read_layout

CHAR = 6.0  # bpmn-js draws external labels at 11px: about 6px per Cyrillic letter
LINE = 14.0
GAP = 4.0
FRAMES = ("lane", "participant")


def label_size(name: str) -> tuple[float, float]:
    """A label box that holds the name in at most three lines."""
    width = min(max(len(name) * CHAR / 2 + 10, 40.0), 100.0)
    longest = max((len(word) for word in name.split()), default=1) * CHAR
    width = max(width, min(longest + 4, 120.0))
    lines = min(max(math.ceil(len(name) * CHAR / width), 1), 3)
    return width, lines * LINE


def shape_candidates(shape: Box, size: tuple[float, float]) -> Iterator[Box]:
    width, height = size
    cx, cy = shape.x + shape.width / 2, shape.y + shape.height / 2
    yield Box(cx - width / 2, shape.y + shape.height + GAP, width, height)
    yield Box(cx - width / 2, shape.y - GAP - height, width, height)
    yield Box(shape.x + shape.width + GAP, cy - height / 2, width, height)
    yield Box(shape.x - GAP - width, cy - height / 2, width, height)
    yield Box(shape.x + shape.width + GAP, shape.y + shape.height + GAP, width, height)
    yield Box(shape.x - GAP - width, shape.y + shape.height + GAP, width, height)
    yield from _nearby(shape, size)


def _nearby(shape: Box, size: tuple[float, float], reach: int = 160) -> Iterator[Box]:
    """Further positions on a grid around a crowded shape, nearest first, clear of the shape."""
    width, height = size
    cx, cy = shape.x + shape.width / 2, shape.y + shape.height / 2
    boxes = [
        Box(cx + dx - width / 2, cy + dy - height / 2, width, height)
        for dx in range(-reach, reach + 1, 10)
        for dy in range(-reach, reach + 1, 5)
    ]
    boxes = [box for box in boxes if not box.overlaps(shape, margin=-GAP)]
    yield from sorted(boxes, key=lambda b: math.hypot(b.x + width / 2 - cx, b.y + height / 2 - cy))


def flow_candidates(points: list[tuple[float, float]], size: tuple[float, float]) -> Iterator[Box]:
    width, height = size

    def length(segment: tuple[tuple[float, float], tuple[float, float]]) -> float:
        (x1, y1), (x2, y2) = segment
        return abs(x1 - x2) + abs(y1 - y2)

    segments = sorted(_segments(points), key=length, reverse=True)
    for (x1, y1), (x2, y2) in segments:
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        if y1 == y2:  # horizontal: above, then below
            yield Box(mx - width / 2, my - GAP - height, width, height)
            yield Box(mx - width / 2, my + GAP, width, height)
        else:
            yield Box(mx + GAP, my - height / 2, width, height)
            yield Box(mx - GAP - width, my - height / 2, width, height)
    for (x1, y1), (x2, y2) in segments:  # further along and beside each segment
        for share in (0.25, 0.75, 0.1, 0.9):
            mx, my = x1 + (x2 - x1) * share, y1 + (y2 - y1) * share
            for gap in (GAP, 3 * GAP, 6 * GAP):
                if y1 == y2:
                    yield Box(mx - width / 2, my - gap - height, width, height)
                    yield Box(mx - width / 2, my + gap, width, height)
                else:
                    yield Box(mx + gap, my - height / 2, width, height)
                    yield Box(mx - gap - width, my - height / 2, width, height)


def free(box: Box, layout: Layout, placed: dict[str, Box], own: str) -> bool:
    """Whether a label box touches nothing drawn: shapes, other labels, flows."""
    for element, shape in layout.shapes.items():
        if layout.types.get(element) in FRAMES or element == own:
            continue
        if layout.types.get(element) == "subProcess" and shape.contains(box):
            continue  # inside an expanded subprocess a label sits on its canvas
        if shape.overlaps(box, margin=-2):
            return False
    if any(other.overlaps(box, margin=-2) for key, other in placed.items() if key != own):
        return False
    for flow, points in layout.flows.items():
        if layout.types.get(flow) == "sequenceFlow" and any(
            _hits(segment, box) for segment in _segments(points)
        ):
            return False
    return True


def placements(layout: Layout, unplaced: list[str]) -> dict[str, Box]:
    """A free label box for each unplaced element that has one."""
    placed = dict(layout.labels)
    found: dict[str, Box] = {}
    for element in unplaced:
        size = label_size(layout.names[element])
        if element in layout.flows:
            candidates = flow_candidates(layout.flows[element], size)
        else:
            candidates = shape_candidates(layout.shapes[element], size)
        for box in candidates:
            if free(box, layout, placed, element):
                placed[element] = found[element] = box
                break
    return found


def _bounds(box: Box, close: str = " />") -> str:
    x, y, width, height = (round(v) for v in (box.x, box.y, box.width, box.height))
    bounds = f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}"{close}'
    return f"<bpmndi:BPMNLabel>{bounds}</bpmndi:BPMNLabel>"


def _closing(text: str) -> str:
    """How the file closes its empty elements («/>» or « />»): a label is written the same way,
    so the modeler's merge keeps the file byte for byte (engine/drafts/merge.py)."""
    return "/>" if text.count('"/>') > text.count('" />') else " />"


def write_labels(text: str, found: dict[str, Box]) -> str:
    """The file's text with a label line added to each placed element's shape or edge."""
    for element, box in found.items():
        opening = rf'(<bpmndi:(BPMNShape|BPMNEdge) [^>]*bpmnElement="{re.escape(element)}"[^>]*>)'
        pattern = re.compile(opening + r"(.*?)(\n(\s*)</bpmndi:\2>)", re.S)
        match = pattern.search(text)
        if match is None:
            continue
        indent = match.group(5) + "  "
        label = "\n" + indent + _bounds(box, _closing(text))
        replacement = match.group(1) + match.group(3) + label + match.group(4)
        text = text[: match.start()] + replacement + text[match.end() :]
    return text


def main(argv: list[str]) -> int:
    from engine.bpmn.layout import check_layout

    path = Path(argv[0])
    text = path.read_text(encoding="utf-8")
    layout = read_layout(text.encode())
    unplaced = check_layout(layout).unplaced_labels
    found = placements(layout, unplaced)
    for element in unplaced:
        print(("placed  " if element in found else "no room ") + element)
    if "--write" in argv:
        path.write_text(write_labels(text, found), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
