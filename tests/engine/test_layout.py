"""The diagram reads: crossings, labels on shapes or under flows, unplaced labels, broken words."""

from __future__ import annotations

from engine.bpmn.layout import LayoutReport, check_layout, read_layout
from tests.conftest import PROCESSES

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" name="Поступило" />
    <bpmn:userTask id="a" name="Зарегистрировать" />
    <bpmn:userTask id="b" name="Ответить" />
    <bpmn:userTask id="c" name="Проверить" />
    <bpmn:sequenceFlow id="ab" sourceRef="a" targetRef="b" />
    <bpmn:sequenceFlow id="cd" name="да" sourceRef="c" targetRef="b" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="pl" bpmnElement="p">
"""
TAIL = "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"


def _shape(element: str, x: int, y: int, w: int, h: int, label: str = "") -> str:
    return (
        f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}">'
        f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />{label}</bpmndi:BPMNShape>'
    )


def _edge(element: str, points: list[tuple[int, int]], label: str = "") -> str:
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
    opening = f'<bpmndi:BPMNEdge id="{element}_di" bpmnElement="{element}">'
    return f"{opening}{waypoints}{label}</bpmndi:BPMNEdge>"


def _label(x: int, y: int, w: int, h: int) -> str:
    bounds = f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />'
    return f"<bpmndi:BPMNLabel>{bounds}</bpmndi:BPMNLabel>"


def _report(body: str) -> LayoutReport:
    return check_layout(read_layout((HEAD + body + TAIL).encode()))


def test_a_clean_drawing_has_nothing_to_report() -> None:
    body = (
        _shape("start", 10, 22, 36, 36, _label(0, 62, 60, 14))
        + _shape("a", 100, 0, 140, 80)
        + _shape("b", 300, 0, 100, 80)
        + _shape("c", 300, 200, 100, 80)
        + _edge("ab", [(240, 40), (300, 40)])
        + _edge("cd", [(350, 200), (350, 80)], _label(355, 130, 20, 14))
    )
    report = _report(body)
    assert (report.crossings, report.overlapping_labels, report.labels_under_flows) == ([], [], [])
    assert (report.unplaced_labels, report.broken_words) == ([], [])


def test_each_kind_of_trouble_is_found_and_named() -> None:
    body = (
        _shape("start", 10, 22, 36, 36)  # named, but its label is left to the viewer
        + _shape("a", 100, 0, 100, 80)  # «Зарегистрировать» does not fit 100 px: broken mid-word
        + _shape("b", 300, 0, 100, 80)
        + _shape("c", 300, 200, 100, 80)
        + _edge("ab", [(200, 40), (260, 40), (260, 150), (420, 150)])
        + _edge("cd", [(350, 200), (350, 80)], _label(340, 60, 30, 30))  # on b, and under ab
    )
    report = _report(body)
    assert report.crossings == [("ab", "cd")]
    assert ("cd", "b") in report.overlapping_labels
    assert report.unplaced_labels == ["start"]
    assert report.broken_words == [("a", "Зарегистрировать")]


def test_the_regulations_are_measured() -> None:
    """Perm as the audit found it (7 crossings, 16 labels crossed by flows), remodelled: none."""
    perm = check_layout(read_layout((PROCESSES / "perm" / "v1" / "perm.bpmn").read_bytes()))
    assert perm.crossings == [] and perm.labels_under_flows == []
    assert perm.overlapping_labels == [] and perm.broken_words == []
