"""Deploying, activating and loading regulation versions."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine import audit
from engine.bpmn.parsing import DeployError, ParsedProcess, parse_process
from engine.bpmn.serialization import spec_from_dict, spec_to_dict
from engine.forms import (
    FORMS_FILE,
    VersionForms,
    forms_from_json,
    forms_to_json,
    library,
)
from engine.models import ProcessInstance, ProcessVersion
from engine.municipalities import (
    Municipality,
    RegulationCalendar,
    load_municipality,
    regulation_calendar,
)
from engine.preparing import (
    PreparedVersion,
    checked_municipality,
    declared_forms,
    form_context,
    prepare_version,
)
from engine.regulation.table import (
    TABLE_FILE,
    DeadlineTable,
    table_from_dict,
    table_to_dict,
)
from engine.roles import DEFAULT_REGISTRY, RoleRegistry
from engine.runtime import Runtime
from engine.scripting import make_script_engine
from engine.statuses import AuditKind
from engine.versioning.activation import activate_now, current_version, starting_version
from engine.versioning.snapshot import settings_bytes, settings_from_snapshot
from engine.worktime import parse_deadline
from engine.worktime.loader import SETTINGS_FILE
from engine.worktime.settings import CalendarConfigError


@dataclass
class Deployment:
    """The outcome of a deploy: the version row, whether it was new, what to look at."""

    version: ProcessVersion
    created: bool
    warnings: list[str] = field(default_factory=list)  # e.g. form fields nobody reads


def locate(path: Path) -> tuple[str, str]:
    """Municipality and version label from `processes/<municipality>/<label>/<file>.bpmn`."""
    resolved = path.resolve()
    return resolved.parent.parent.name, resolved.parent.name


@dataclass(frozen=True)
class VersionFiles:
    """The content of a version: its BPMN, and the forms.yaml and deadlines.yaml beside it."""

    xml: bytes
    filename: str
    forms_yaml: bytes | None = None
    deadlines_yaml: bytes | None = None
    settings_yaml: bytes | None = None  # the municipality.yaml two folders up, snapshotted

    @classmethod
    def read(cls, path: Path, processes_dir: Path | None = None) -> VersionFiles:
        """Read a version folder's files once (what is tested is what is deployed)."""
        municipality, _ = locate(path)
        folder = (
            Path(processes_dir) / municipality if processes_dir else path.resolve().parent.parent
        )
        municipality_yaml = folder / SETTINGS_FILE
        settings = municipality_yaml.read_bytes() if municipality_yaml.is_file() else None
        return cls(
            path.read_bytes(), path.name, forms_beside(path), deadlines_beside(path), settings
        )

    @property
    def sha256(self) -> str:
        """The version's identity."""
        return version_hash(self.xml, self.forms_yaml, self.deadlines_yaml, self.settings_yaml)


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
    """Deploy a BPMN file with the forms.yaml and deadlines.yaml beside it; twice is a no-op."""
    found_municipality, found_label = locate(path)
    return deploy_files(
        session,
        runtime,
        VersionFiles.read(path, runtime.processes_dir),
        actor,
        municipality=municipality or found_municipality,
        label=label or found_label,
        activate=activate,
    )


def deploy_files(
    session: Session,
    runtime: Runtime,
    files: VersionFiles,
    actor: str,
    *,
    municipality: str,
    label: str,
    activate: bool = True,
) -> Deployment:
    """Deploy a version's files already read (the scenario runner and the self-test)."""
    return deploy_xml(
        session,
        runtime,
        files.xml,
        files.filename,
        actor,
        municipality=municipality,
        label=label,
        activate=activate,
        forms_yaml=files.forms_yaml,
        deadlines_yaml=files.deadlines_yaml,
        settings_yaml=files.settings_yaml,
    )


def find_version(session: Session, municipality: str, sha256: str) -> ProcessVersion | None:
    """The municipality's version with this content, if it was deployed before."""
    return session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.municipality == municipality, ProcessVersion.sha256 == sha256
        )
    )


def forms_beside(path: Path) -> bytes | None:
    """The forms.yaml in a BPMN file's folder, if the version has one."""
    forms_path = path.parent / FORMS_FILE
    return forms_path.read_bytes() if forms_path.exists() else None


def deadlines_beside(path: Path) -> bytes | None:
    """The deadlines.yaml in a BPMN file's folder, if the version has one."""
    table_path = path.parent / TABLE_FILE
    return table_path.read_bytes() if table_path.exists() else None


def parse_file(path: Path) -> ParsedProcess:
    """Parse and check a BPMN file against the forms it may name (library and forms.yaml)."""
    declared = {**library(), **declared_forms(forms_beside(path))}
    return parse_process(path.read_bytes(), path.name, parse_deadline, forms=declared)


def version_hash(
    xml: bytes,
    forms_yaml: bytes | None,
    deadlines_yaml: bytes | None = None,
    settings_yaml: bytes | None = None,
) -> str:
    """The identity of a version: its BPMN, forms.yaml, deadlines.yaml and municipality.yaml."""
    digest = hashlib.sha256(xml)
    files = ((FORMS_FILE, forms_yaml), (TABLE_FILE, deadlines_yaml), (SETTINGS_FILE, settings_yaml))
    for name, content in files:
        if content is not None:
            digest.update(b"\0" + name.encode() + b"\0" + content)
    return digest.hexdigest()


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
    forms_yaml: bytes | None = None,
    deadlines_yaml: bytes | None = None,
    settings_yaml: bytes | None = None,
) -> Deployment:
    """Deploy BPMN XML (and its forms.yaml, deadlines.yaml) for a municipality under a label."""
    # Checked on a redeploy too: an unchanged version must not hide a broken municipality.yaml.
    checked_municipality(municipality, runtime.processes_dir)
    if settings_yaml is None:  # the settings in force now become the version's own
        settings_yaml = settings_bytes(municipality, runtime.processes_dir)
    sha256 = version_hash(xml, forms_yaml, deadlines_yaml, settings_yaml)
    existing = find_version(session, municipality, sha256)
    if existing is not None:
        return Deployment(existing, created=False)
    refuse_taken_label(session, municipality, label)
    settings, calendar = _snapshot(municipality, settings_yaml)
    files = VersionFiles(xml, filename, forms_yaml, deadlines_yaml, settings_yaml)
    prepared = prepare_version(files, municipality, runtime, settings, calendar)
    parsed, table, forms = prepared.parsed, prepared.table, prepared.forms
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
        forms=forms_to_json(forms),
        deadline_table=table_to_dict(table),
        deployed_at=now,
        deployed_by=actor,
        is_active=False,
        settings_yaml=settings_yaml.decode("utf-8"),
    )
    session.add(version)
    session.flush()
    audit.record(
        session, AuditKind.VERSION_DEPLOYED, now, actor, version_id=version.id, sha256=sha256
    )
    if activate:
        activate_version(session, runtime, version, actor)
    return Deployment(version, created=True, warnings=prepared.warnings)


def activate_version(
    session: Session, runtime: Runtime, version: ProcessVersion, actor: str
) -> None:
    """Make `version` the one new messages start on; running cases keep theirs."""
    activate_now(session, version, actor, runtime.clock.now())


def active_version(
    session: Session, municipality: str, now: datetime | None = None
) -> ProcessVersion:
    """The version new messages of a municipality start on (at `now`: a due switch counts)."""
    version = (
        current_version(session, municipality, _LIGHT)
        if now is None
        else starting_version(session, municipality, now, _LIGHT)
    )
    if version is None:
        raise NoActiveVersion(municipality)
    return version


def refuse_taken_label(session: Session, municipality: str, label: str) -> None:
    """A label names one version: other content under a deployed label is refused."""
    taken = session.scalar(
        select(ProcessVersion.id).where(
            ProcessVersion.municipality == municipality, ProcessVersion.label == label
        )
    )
    if taken is not None:
        raise DeployError(
            f"версия «{label}» муниципалитета «{municipality}» уже развёрнута с другим "
            "содержимым (диаграмма, forms.yaml, deadlines.yaml или municipality.yaml): "
            "положите изменённые файлы в папку новой версии (например, v2)"
        )


def _snapshot(municipality: str, settings_yaml: bytes) -> tuple[Municipality, RegulationCalendar]:
    try:
        return settings_from_snapshot(municipality, settings_yaml.decode("utf-8"), SETTINGS_FILE)
    except (CalendarConfigError, UnicodeDecodeError) as error:
        raise DeployError(f"{SETTINGS_FILE}: {error}") from error


def version_settings(
    version: ProcessVersion, processes_dir: Path
) -> tuple[Municipality, RegulationCalendar]:
    """The settings and calendar a version's cases run under: its snapshot, else the file."""
    if version.settings_yaml is None:  # deployed before snapshots were taken
        return (
            load_municipality(version.municipality, processes_dir),
            regulation_calendar(version.municipality, processes_dir),
        )
    source = f"{version.municipality}/{version.label}/{SETTINGS_FILE}"
    return settings_from_snapshot(version.municipality, version.settings_yaml, source)


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
    """A version's restored spec, catalog, script engine and forms, shared by its instances."""

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    catalog: dict[str, Any]
    script_engine: PythonScriptEngine
    forms: VersionForms
    table: DeadlineTable
    reader: RegulationCalendar
    roles: RoleRegistry = DEFAULT_REGISTRY  # the municipality's roles, by lane

    def spec_of(self, process_id: str | None) -> BpmnProcessSpec:
        """The spec a case runs: the message process, or a scheduled duty's (engine/duties)."""
        return self.spec if process_id is None else self.subprocess_specs[process_id]


_CACHE: dict[tuple[str, str, str], LoadedVersion] = {}
_CACHE_LOCK = threading.Lock()


def load_version(version: ProcessVersion, runtime: Runtime) -> LoadedVersion:
    """The cached runtime form of a version (content-addressed: versions never change)."""
    key = (version.municipality, version.sha256, str(runtime.processes_dir))
    with _CACHE_LOCK:
        loaded = _CACHE.get(key)
    if loaded is None:
        spec, subprocess_specs = spec_from_dict(version.spec)
        settings, calendar = version_settings(version, runtime.processes_dir)
        stored = forms_from_json(version.forms) if version.forms is not None else library()
        table = table_from_dict(version.deadline_table)
        loaded = LoadedVersion(
            spec,
            subprocess_specs,
            version.catalog,
            make_script_engine({"calendar": calendar, "table": table}),
            VersionForms(stored, form_context(settings)),
            table,
            calendar,
            settings.roles,
        )
        with _CACHE_LOCK:
            _CACHE[key] = loaded
    return loaded


def version_forms(session: Session, runtime: Runtime, instance_id: int) -> VersionForms:
    """The compiled forms of a case's version: what its task completions validate through."""
    from engine.live import loaded_version_by_id  # engine.live builds on this module

    version_id = session.scalar(
        select(ProcessInstance.version_id).where(ProcessInstance.id == instance_id)
    )
    if version_id is None:
        raise LookupError(f"no process instance {instance_id}")
    return loaded_version_by_id(session, runtime, version_id).forms


LARGE_VERSION_COLUMNS = (
    ProcessVersion.bpmn_xml,
    ProcessVersion.spec,
    ProcessVersion.catalog,
    ProcessVersion.forms,
    ProcessVersion.deadline_table,
    ProcessVersion.settings_yaml,
)
# A version row without them: they are read only when its runtime form is not cached yet.
_LIGHT = tuple(defer(column) for column in LARGE_VERSION_COLUMNS)


def clear_cache() -> None:
    """Forget loaded versions (after municipality settings change on disk)."""
    with _CACHE_LOCK:
        _CACHE.clear()


__all__ = [
    "DeployError",
    "Deployment",
    "LoadedVersion",
    "NoActiveVersion",
    "PreparedVersion",
    "VersionFiles",
    "activate_version",
    "active_version",
    "checked_municipality",
    "clear_cache",
    "deadlines_beside",
    "deploy_file",
    "deploy_files",
    "deploy_xml",
    "find_version",
    "form_context",
    "forms_beside",
    "load_version",
    "parse_file",
    "prepare_version",
    "refuse_taken_label",
    "version_forms",
    "version_hash",
    "version_settings",
]
