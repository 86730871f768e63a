"""Deploying regulation versions: stored once, refused whole when broken."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import AuditEvent, ProcessVersion
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versions import DeployError, activate_version, active_version, deploy_xml
from tests.conftest import EXAMPLE_BPMN
from tests.engine.helpers import deploy_example

EXAMPLE = EXAMPLE_BPMN.read_text(encoding="utf-8")


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, xml: str, label: str = "v9") -> None:
    with sessions.begin() as session:
        deploy_xml(
            session, runtime, xml.encode(), "x.bpmn", "admin", municipality="example", label=label
        )


def _version_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessVersion)) or 0


def test_deploy_stores_xml_hash_spec_and_catalog(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    version = deploy_example(sessions, runtime)
    assert version.sha256 == hashlib.sha256(EXAMPLE_BPMN.read_bytes()).hexdigest()
    assert version.process_id == "example_regulation"
    assert (version.municipality, version.label, version.is_active) == ("example", "v1", True)
    assert version.spec["spec"]["name"] == "example_regulation"
    screen = version.catalog["elements"]["screen"]
    assert (screen["lane"], screen["properties"]["form"]) == ("curator", "screen")
    assert version.catalog["elements"]["draft_deadline"]["clauses"] == ["Пример, п. 3"]
    with sessions() as session:
        kinds = list(session.scalars(select(AuditEvent.kind)))
    assert kinds == [AuditKind.VERSION_DEPLOYED, AuditKind.VERSION_ACTIVATED]


def test_deploying_the_same_file_twice_is_a_no_op(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    first = deploy_example(sessions, runtime)
    with sessions.begin() as session:
        again = deploy_xml(
            session,
            runtime,
            EXAMPLE.encode(),
            "copy.bpmn",
            "admin",
            municipality="example",
            label="v2",
        )
    assert (again.created, again.version.id) == (False, first.id)
    assert _version_count(sessions) == 1


def test_activation_switches_versions_and_old_cases_keep_theirs(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    first = deploy_example(sessions, runtime)
    _deploy(sessions, runtime, EXAMPLE.replace("Пример регламента", "Пример регламента 2"))
    with sessions.begin() as session:
        assert active_version(session, "example").label == "v9"
        activate_version(session, runtime, session.get_one(ProcessVersion, first.id), "admin")
    with sessions() as session:
        assert active_version(session, "example").id == first.id


@pytest.mark.parametrize(
    ("broken", "element", "reason"),
    [
        (EXAMPLE.replace("</bpmn:definitions>", ""), None, "not well-formed XML"),
        (
            EXAMPLE.replace('<spiffworkflow:property name="form" value="route" />', ""),
            "route",
            "names no form",
        ),
        (
            EXAMPLE.replace('value="publish"', 'value="dance"'),
            "publish",
            "неизвестная форма «dance»",
        ),
        (
            EXAMPLE.replace('"8 рабочих часов"', '"восемь попугаев"'),
            "draft_deadline",
            "восемь попугаев",
        ),
        (
            EXAMPLE.replace('deadline(received_at, "1 рабочий час")', "received_at.__class__"),
            "screen_deadline",
            "__class__",
        ),
        (
            EXAMPLE.replace("drafts = []", "import os"),
            "prepare_rework",
            "refused",
        ),
        (
            EXAMPLE.replace('targetRef="publish" />', 'targetRef="nowhere" />'),
            None,
            "",
        ),
        (
            EXAMPLE.replace(
                '<bpmn:endEvent id="published_end"', '<bpmn:endEvent bogus="1" id="published_end"'
            ),
            None,
            "bogus",
        ),
    ],
)
def test_broken_files_are_refused_with_element_and_reason(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    broken: str,
    element: str | None,
    reason: str,
) -> None:
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, runtime, broken)
    assert reason in str(refused.value)
    if element is not None:
        assert refused.value.element_id == element
        assert f"element {element}" in str(refused.value)
    assert _version_count(sessions) == 0


def test_unknown_municipality_is_refused(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    with pytest.raises(Exception, match="atlantis"), sessions.begin() as session:
        deploy_xml(
            session,
            runtime,
            EXAMPLE.encode(),
            "x.bpmn",
            "admin",
            municipality="atlantis",
            label="v1",
        )
    assert _version_count(sessions) == 0
