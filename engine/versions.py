"""Deploying, activating and loading regulation versions."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from engine import audit
from engine.bpmn.catalog import parse_xml
from engine.bpmn.names import names_read
from engine.bpmn.parsing import DeployError, ParsedProcess, parse_process
from engine.bpmn.samples import SampleContext
from engine.bpmn.serialization import spec_from_dict, spec_to_dict
from engine.clock import using_clock
from engine.forms import (
    FORMS_FILE,
    FormContext,
    FormDeclarationError,
    FormSpec,
    VersionForms,
    declared_in,
    forms_from_json,
    forms_to_json,
    library,
)
from engine.forms.usage import unread_fields, unused_forms
from engine.models import ProcessInstance, ProcessVersion
from engine.municipalities import (
    Municipality,
    RegulationCalendar,
    load_municipality,
    regulation_calendar,
)
from engine.regulation.checks import check_names, check_table, check_terms
from engine.regulation.table import (
    TABLE_FILE,
    DeadlineTable,
    TableError,
    read_table,
    read_table_yaml,
    table_from_dict,
    table_to_dict,
)
from engine.runtime import Runtime
from engine.scripting import bind_functions, make_script_engine
from engine.statuses import AuditKind
from engine.worktime import parse_deadline


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

    @classmethod
    def read(cls, path: Path) -> VersionFiles:
        """Read a version folder's files once (what is tested is what is deployed)."""
        return cls(path.read_bytes(), path.name, forms_beside(path), deadlines_beside(path))

    @property
    def sha256(self) -> str:
        """The version's identity."""
        return version_hash(self.xml, self.forms_yaml, self.deadlines_yaml)


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
        VersionFiles.read(path),
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
    declared = {**library(), **_declared(forms_beside(path))}
    return parse_process(path.read_bytes(), path.name, parse_deadline, forms=declared)


def version_hash(xml: bytes, forms_yaml: bytes | None, deadlines_yaml: bytes | None = None) -> str:
    """The identity of a version: its BPMN, its forms.yaml and deadlines.yaml when it has them."""
    digest = hashlib.sha256(xml)
    for name, content in ((FORMS_FILE, forms_yaml), (TABLE_FILE, deadlines_yaml)):
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
) -> Deployment:
    """Deploy BPMN XML (and its forms.yaml, deadlines.yaml) for a municipality under a label."""
    sha256 = version_hash(xml, forms_yaml, deadlines_yaml)
    existing = find_version(session, municipality, sha256)
    if existing is not None:
        return Deployment(existing, created=False)
    settings = load_municipality(municipality, runtime.processes_dir)  # refuses an unknown one
    local = _declared(forms_yaml)
    declared = {**library(), **local}
    calendar = regulation_calendar(municipality, runtime.processes_dir)
    table = _table(deadlines_yaml, xml, calendar)
    functions = bind_functions({"calendar": calendar, "table": table})
    samples = SampleContext(functions, runtime.clock.now())
    with using_clock(runtime.clock):  # now() in a sampled timer reads the injected clock
        parsed = parse_process(xml, filename, parse_deadline, samples, forms=declared)
    check_table(table, parsed.catalog, parse_xml(xml), calendar)
    forms, warnings = _used_forms(xml, parsed, declared, local, settings, table.data_names())
    _check_form_limits(forms, table)
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
    )
    session.add(version)
    session.flush()
    audit.record(
        session, AuditKind.VERSION_DEPLOYED, now, actor, version_id=version.id, sha256=sha256
    )
    if activate:
        activate_version(session, runtime, version, actor)
    return Deployment(version, created=True, warnings=warnings)


def _used_forms(
    xml: bytes,
    parsed: ParsedProcess,
    declared: dict[str, FormSpec],
    local: dict[str, FormSpec],
    settings: Municipality,
    table_reads: set[str],
) -> tuple[dict[str, FormSpec], list[str]]:
    """The forms the diagram's tasks name, compiled once for the municipality, and warnings."""
    used = {
        element["properties"]["form"]
        for element in parsed.catalog["elements"].values()
        if element["type"] == "userTask"
    }
    forms = {key: declared[key] for key in sorted(used)}
    VersionForms(forms, form_context(settings))  # every schema builds now, not at first use
    read = names_read(parse_xml(xml)) | table_reads  # the deadline table reads fields too
    warnings = unused_forms(local, used) + unread_fields(forms, read)
    return forms, warnings


def _check_form_limits(forms: dict[str, FormSpec], table: DeadlineTable) -> None:
    """A field's `not_after: {deadline: name}` names a row of the version's deadline table."""
    for form in forms.values():
        for spec in form.fields:
            name = (spec.not_after or {}).get("deadline")
            if name is not None and name not in table:
                known = ", ".join(sorted(table.rules)) or "нет строк"
                raise DeployError(
                    f"{FORMS_FILE}: форма «{form.key}», поле «{spec.name}»: not_after: "
                    f"в таблице сроков нет срока «{name}» (есть: {known})"
                )


def _table(deadlines_yaml: bytes | None, xml: bytes, calendar: RegulationCalendar) -> DeadlineTable:
    """The version's deadline table, refused (in Russian) before the diagram is evaluated."""
    try:
        table = read_table(read_table_yaml(deadlines_yaml))
    except TableError as error:
        raise DeployError(f"{TABLE_FILE}: {error}") from error
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        return table  # parse_process refuses it with the line
    check_names(table, root)
    check_terms(table, calendar)
    return table


def _declared(forms_yaml: bytes | None) -> dict[str, FormSpec]:
    if forms_yaml is None:
        return {}
    try:
        return declared_in(forms_yaml)
    except FormDeclarationError as error:
        raise DeployError(f"{FORMS_FILE}: {error}") from error


def form_context(settings: Municipality) -> FormContext:
    """What a municipality's settings add to its forms: departments and time zone."""
    departments = tuple((item.id, item.name) for item in settings.departments)
    return FormContext(departments=departments, timezone=settings.timezone)


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
    """A version's restored spec, catalog, script engine and forms, shared by its instances."""

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    catalog: dict[str, Any]
    script_engine: PythonScriptEngine
    forms: VersionForms
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
        settings = load_municipality(version.municipality, runtime.processes_dir)
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
        )
        with _CACHE_LOCK:
            _CACHE[key] = loaded
    return loaded


def version_forms(session: Session, runtime: Runtime, instance_id: int) -> VersionForms:
    """The compiled forms of a case's version: what its task completions validate through."""
    version = session.scalars(
        select(ProcessVersion)
        .join(ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
        .where(ProcessInstance.id == instance_id)
        .options(*(defer(column) for column in LARGE_VERSION_COLUMNS))  # read on a cache miss
    ).one_or_none()
    if version is None:
        raise LookupError(f"no process instance {instance_id}")
    return load_version(version, runtime).forms


LARGE_VERSION_COLUMNS = (
    ProcessVersion.bpmn_xml,
    ProcessVersion.spec,
    ProcessVersion.catalog,
    ProcessVersion.forms,
    ProcessVersion.deadline_table,
)


def clear_cache() -> None:
    """Forget loaded versions (after municipality settings change on disk)."""
    with _CACHE_LOCK:
        _CACHE.clear()


__all__ = [
    "DeployError",
    "Deployment",
    "LoadedVersion",
    "NoActiveVersion",
    "VersionFiles",
    "activate_version",
    "active_version",
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
    "version_forms",
    "version_hash",
]
