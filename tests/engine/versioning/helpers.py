"""An example municipality with v1 and a v2 that shortens a term, renames and adds a step."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from engine.models import ProcessVersion
from engine.runtime import Runtime
from engine.versions import deploy_file
from tests.conftest import PROCESSES, copy_example_version

# v2: «Пример, п. 2» becomes 2 working hours, review is renamed, «Согласовать ответ» is added
# between the approved review and publishing.
V2_EDITS = (
    ('name="1 рабочий час"', 'name="2 рабочих часа"'),
    ('name="Проверить ответ"', 'name="Проверить проект ответа"'),
    (
        '<bpmn:sequenceFlow id="flow_approved" name="принят" sourceRef="review_decision_gateway" '
        'targetRef="publish" />',
        '<bpmn:sequenceFlow id="flow_approved" name="принят" sourceRef="review_decision_gateway" '
        'targetRef="approve" />\n'
        '    <bpmn:sequenceFlow id="flow_approve_to_publish" sourceRef="approve" '
        'targetRef="publish" />',
    ),
    (
        '<bpmn:userTask id="publish" name="Опубликовать ответ">',
        '<bpmn:userTask id="approve" name="Согласовать ответ">\n'
        "      <bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="form" value="publish" />'
        "</spiffworkflow:properties></bpmn:extensionElements>\n"
        "      <bpmn:incoming>flow_approved</bpmn:incoming>\n"
        "      <bpmn:outgoing>flow_approve_to_publish</bpmn:outgoing>\n"
        "    </bpmn:userTask>\n"
        '    <bpmn:userTask id="publish" name="Опубликовать ответ">',
    ),
    (
        "      <bpmn:incoming>flow_approved</bpmn:incoming>\n"
        "      <bpmn:outgoing>flow_to_published_end</bpmn:outgoing>",
        "      <bpmn:incoming>flow_approve_to_publish</bpmn:incoming>\n"
        "      <bpmn:outgoing>flow_to_published_end</bpmn:outgoing>",
    ),
    (  # drawn above publish, so the diff's diagrams show it
        "    </bpmndi:BPMNPlane>",
        '      <bpmndi:BPMNShape id="approve_di" bpmnElement="approve">'
        '<dc:Bounds x="1370" y="20" width="100" height="60" /></bpmndi:BPMNShape>\n'
        '      <bpmndi:BPMNEdge id="flow_approve_to_publish_di" '
        'bpmnElement="flow_approve_to_publish">'
        '<di:waypoint x="1420" y="80" /><di:waypoint x="1420" y="120" /></bpmndi:BPMNEdge>\n'
        "    </bpmndi:BPMNPlane>",
    ),
    (
        "        <bpmn:flowNodeRef>publish_deadline</bpmn:flowNodeRef>",
        "        <bpmn:flowNodeRef>publish_deadline</bpmn:flowNodeRef>\n"
        "        <bpmn:flowNodeRef>approve</bpmn:flowNodeRef>",
    ),
)


def example_processes(tmp_path: Path) -> Path:
    """A processes folder with the example's settings and its v1 and v2 folders."""
    processes = tmp_path / "processes"
    (processes / "example" / "v1").mkdir(parents=True)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", processes / "example")
    copy_example_version(processes / "example" / "v1")
    v2 = processes / "example" / "v2"
    v2.mkdir()
    copy_example_version(v2)
    xml = (v2 / "example.bpmn").read_text(encoding="utf-8")
    for old, new in V2_EDITS:
        assert xml.count(old) == 1, old
        xml = xml.replace(old, new)
    (v2 / "example.bpmn").write_text(xml, encoding="utf-8")
    table = (v2 / "deadlines.yaml").read_text(encoding="utf-8")
    (v2 / "deadlines.yaml").write_text(
        table.replace("text: 1 рабочий час", "text: 2 рабочих часа", 1), encoding="utf-8"
    )
    return processes


def deploy(
    sessions: sessionmaker[Session], runtime: Runtime, label: str, *, activate: bool = True
) -> ProcessVersion:
    """Deploy the example's `label` folder of the runtime's processes folder."""
    path = Path(runtime.processes_dir) / "example" / label / "example.bpmn"
    with sessions() as session, session.begin():
        version = deploy_file(session, runtime, path, "admin", activate=activate).version
    return version
