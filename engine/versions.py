"""Deploying, activating and loading regulation versions."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.bpmn.catalog import parse_xml
from engine.bpmn.parsing import DeployError, parse_process
from engine.bpmn.samples import SampleContext
from engine.bpmn.serialization import spec_from_dict, spec_to_dict
from engine.clock import using_clock
from engine.models import ProcessVersion
from engine.municipalities import RegulationCalendar, load_municipality, regulation_calendar
from engine.regulation.checks import check_names, check_table, check_terms
from engine.regulation.table import (
    DeadlineTable,
    TableError,
    load_table_file,
    read_table,
    table_digest,
    table_from_dict,
    table_to_dict,
)
from engine.runtime import Runtime
from engine.scripting import bind_functions, make_script_engine
from engine.statuses import AuditKind
from engine.worktime import parse_deadline


@dataclass
class Deployment:
    """The outcome of a deploy: the version row and whether it was new."""

    version: ProcessVersion
    created: bool


def locate(path: Path) -> tuple[str, str]:
    """Municipality and version label from `processes/<municipality>/<label>/<file>.bpmn`."""
    resolved = path.resolve()
    return resolved.parent.parent.name, resolved.parent.name


def deploy_file(
    session: Session,
    runtime: Runtime,
    path: Path,
    actor: str,
    *,
    municipality: str | None = None,
    label: str | None = None,
    activate: bool = True,
) -> Deployment:
    """Deploy a BPMN file; the same file twice is a no-op, a broken one stores nothing."""
    found_municipality, found_label = locate(path)
    try:
        deadlines = load_table_file(path.parent)
    except TableError as error:
        raise DeployError(f"таблица сроков: {error}") from error
    return deploy_xml(
        session,
        runtime,
        path.read_bytes(),
        path.name,
        actor,
        municipality=municipality or found_municipality,
        label=label or found_label,
        activate=activate,
        deadlines=deadlines,
    )


def deploy_xml(
    session: Session,
    runtime: Runtime,
    xml: bytes,
    filename: str,
    actor: str,
    *,
    municipality: str,
    label: str,
    activate: bool = True,
    deadlines: Any = None,
) -> Deployment:
    """Deploy BPMN XML (with its parsed deadline table) for a municipality under a label."""
    digest = hashlib.sha256(xml)
    if deadlines is not None:
        digest.update(table_digest(deadlines))
    sha256 = digest.hexdigest()
    existing = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.municipality == municipality, ProcessVersion.sha256 == sha256
        )
    )
    if existing is not None:
        return Deployment(existing, created=False)
    load_municipality(municipality, runtime.processes_dir)  # refuse an unknown one early
    try:
        table = read_table(deadlines)
    except TableError as error:
        raise DeployError(f"таблица сроков: {error}") from error
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        root = None  # parse_process refuses it with the line
    if root is not None:
        check_names(table, root)
    calendar = regulation_calendar(municipality, runtime.processes_dir)
    check_terms(table, calendar)
    samples = SampleContext(
        bind_functions({"calendar": calendar, "table": table}), runtime.clock.now()
    )
    with using_clock(runtime.clock):  # now() in a sampled timer reads the injected clock
        parsed = parse_process(xml, filename, parse_deadline, samples)
    check_table(table, parsed.catalog, root, calendar)
    now = runtime.clock.now()
    version = ProcessVersion(
        municipality=municipality,
        label=label,
        process_id=parsed.process_id,
        filename=filename,
        sha256=sha256,
        bpmn_xml=xml.decode("utf-8"),
        spec=spec_to_dict(parsed.spec, parsed.subprocess_specs),
        catalog=parsed.catalog,
        deadline_table=table_to_dict(table),
        deployed_at=now,
        deployed_by=actor,
        is_active=False,
    )
    session.add(version)
    session.flush()
    audit.record(
        session, AuditKind.VERSION_DEPLOYED, now, actor, version_id=version.id, sha256=sha256
    )
    if activate:
        activate_version(session, runtime, version, actor)
    return Deployment(version, created=True)


def activate_version(
    session: Session, runtime: Runtime, version: ProcessVersion, actor: str
) -> None:
    """Make `version` the one new messages start on; running cases keep theirs."""
    session.execute(
        update(ProcessVersion)
        .where(ProcessVersion.municipality == version.municipality, ProcessVersion.id != version.id)
        .values(is_active=False)
    )
    version.is_active = True
    audit.record(
        session,
        AuditKind.VERSION_ACTIVATED,
        runtime.clock.now(),
        actor,
        version_id=version.id,
        label=version.label,
    )


def active_version(session: Session, municipality: str) -> ProcessVersion:
    """The version new messages of a municipality start on."""
    version = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.municipality == municipality, ProcessVersion.is_active.is_(True)
        )
    )
    if version is None:
        raise NoActiveVersion(municipality)
    return version


class NoActiveVersion(LookupError):
    """A municipality with no active regulation version: its messages cannot start a case."""

    def __init__(self, municipality: str) -> None:
        super().__init__(
            f"У муниципалитета «{municipality}» нет действующей версии регламента: "
            "сообщение не зарегистрировано, обратитесь к администратору."
        )
        self.municipality = municipality


@dataclass(frozen=True)
class LoadedVersion:
    """A version's restored spec, catalog and script engine, shared by its instances."""

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    catalog: dict[str, Any]
    script_engine: PythonScriptEngine
    table: DeadlineTable
    reader: RegulationCalendar


_CACHE: dict[tuple[str, str, str], LoadedVersion] = {}
_CACHE_LOCK = threading.Lock()


def load_version(version: ProcessVersion, runtime: Runtime) -> LoadedVersion:
    """The cached runtime form of a version (content-addressed: versions never change)."""
    key = (version.municipality, version.sha256, str(runtime.processes_dir))
    with _CACHE_LOCK:
        loaded = _CACHE.get(key)
    if loaded is None:
        spec, subprocess_specs = spec_from_dict(version.spec)
        calendar = regulation_calendar(version.municipality, runtime.processes_dir)
        table = table_from_dict(version.deadline_table)
        engine = make_script_engine({"calendar": calendar, "table": table})
        loaded = LoadedVersion(spec, subprocess_specs, version.catalog, engine, table, calendar)
        with _CACHE_LOCK:
            _CACHE[key] = loaded
    return loaded


def clear_cache() -> None:
    """Forget loaded versions (after municipality settings change on disk)."""
    with _CACHE_LOCK:
        _CACHE.clear()


__all__ = [
    "DeployError",
    "Deployment",
    "LoadedVersion",
    "NoActiveVersion",
    "activate_version",
    "active_version",
    "clear_cache",
    "deploy_file",
    "deploy_xml",
    "load_version",
]
