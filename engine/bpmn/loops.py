"""Loops in the sequence flow that never wait: they would run engine steps without end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.bpmn.catalog import BPMN_NS

# Where a case stops until a person, a message or a time comes (subprocesses may wait inside).
WAIT_STATES = frozenset(
    {
        "userTask",
        "manualTask",
        "receiveTask",
        "intermediateCatchEvent",
        "eventBasedGateway",
        "subProcess",
        "callActivity",
        "transaction",
    }
)


def loops_without_wait(root: Any) -> Iterator[list[Any]]:
    """Each cycle of elements that passes no wait state, as its elements in order."""
    for process in root.iter(f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess"):
        nodes, edges = _graph(process)
        reported: set[str] = set()
        for start in nodes:
            if start in reported or _local(nodes[start]) in WAIT_STATES:
                continue
            cycle = _cycle_through(start, nodes, edges)
            if cycle:
                reported.update(cycle)
                yield [nodes[node_id] for node_id in cycle]


def _local(node: Any) -> str:
    return str(node.tag).rsplit("}", 1)[-1]


def _graph(process: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    nodes = {
        child.get("id"): child
        for child in process
        if isinstance(child.tag, str) and child.get("id") and _local(child) != "sequenceFlow"
    }
    edges: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for flow in process.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        if flow.get("sourceRef") in edges:
            edges[flow.get("sourceRef")].append(flow.get("targetRef"))
    for node_id, node in nodes.items():
        host = node.get("attachedToRef")
        if host in edges:
            edges[host].append(node_id)  # a boundary event leaves its activity
    return nodes, edges


def _cycle_through(
    start: str, nodes: dict[str, Any], edges: dict[str, list[str]]
) -> list[str] | None:
    """A path from `start` back to itself through elements that do not wait, if any."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen = {start}
    while stack:
        node_id, path = stack.pop()
        for target in edges.get(node_id, []):
            if target == start:
                return path
            if target in seen or target not in nodes or _local(nodes[target]) in WAIT_STATES:
                continue
            seen.add(target)
            stack.append((target, [*path, target]))
    return None
