"""Where a report's version comes from: a version folder on disk, or a deployed version."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine.bpmn.catalog import parse_xml
from engine.models import ProcessVersion
from engine.municipalities import load_municipality, regulation_calendar
from engine.regulation.document import load_document
from engine.regulation.table import TABLE_FILE, TableError, read_table, read_table_yaml
from engine.report.model import RegulationReport, ReportInputs, build_report
from engine.runtime import Runtime
from engine.selftest import Evidence, self_test, version_evidence
from engine.versions import (
    DeployError,
    VersionFiles,
    active_version,
    deadlines_beside,
    load_version,
    locate,
    parse_file,
)


def bpmn_of(path: Path) -> Path:
    """The BPMN file a path names: itself, or the only one in a version folder."""
    if path.is_file():
        return path
    found = sorted(path.glob("*.bpmn"))
    if len(found) != 1:
        raise DeployError(
            f"{path}: expected one BPMN file in the version folder, found {len(found)}"
        )
    return found[0]


def folder_inputs(path: Path, processes_dir: Path, evidence: Evidence | None) -> ReportInputs:
    """A version folder's files as they are on disk (`reglament clauses`, `reglament report`)."""
    municipality, label = locate(path)
    parsed = parse_file(path)  # refuses a broken diagram with its element
    try:
        table = read_table(read_table_yaml(deadlines_beside(path)))
    except TableError as error:
        raise DeployError(f"{TABLE_FILE}: {error}") from error
    return ReportInputs(
        catalog=parsed.catalog,
        root=parse_xml(path.read_bytes()),
        table=table,
        reader=regulation_calendar(municipality, processes_dir),
        settings=load_municipality(municipality, processes_dir),
        document=load_document(municipality, processes_dir),
        label=label,
        evidence=evidence,
    )


def folder_report(path: Path, processes_dir: Path) -> RegulationReport:
    """The report of a version folder, its scenarios run now on its files."""
    tested = self_test(VersionFiles.read(path, processes_dir), path, processes_dir)
    return build_report(folder_inputs(path, processes_dir, Evidence.of(tested)))


def version_report(session: Session, runtime: Runtime, version: ProcessVersion) -> RegulationReport:
    """The report of a deployed version, with what its self-test recorded at deploy."""
    loaded = load_version(version, runtime)
    return build_report(
        ReportInputs(
            catalog=version.catalog,
            root=parse_xml(version.bpmn_xml.encode("utf-8")),
            table=loaded.table,
            reader=loaded.reader,
            settings=load_municipality(version.municipality, runtime.processes_dir),
            document=load_document(version.municipality, runtime.processes_dir),
            label=version.label,
            evidence=version_evidence(session, version.id),
        )
    )


def active_report(session: Session, runtime: Runtime, municipality: str) -> RegulationReport:
    """The report of the version a municipality's new messages start on."""
    return version_report(session, runtime, active_version(session, municipality))
