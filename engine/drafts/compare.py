"""A draft as a version the legal diff can read, built by deploy's checks and never stored."""

from __future__ import annotations

from engine.drafts.store import draft_files
from engine.forms import forms_to_json
from engine.models import ProcessVersion, VersionDraft
from engine.preparing import prepare_version
from engine.regulation.table import table_to_dict
from engine.runtime import Runtime


def draft_version(draft: VersionDraft, runtime: Runtime) -> ProcessVersion:
    """The draft's catalog, forms, table and settings as a transient version (refused if broken)."""
    files = draft_files(draft, runtime.processes_dir)
    prepared = prepare_version(files, draft.municipality, runtime)  # DeployError when refused
    return ProcessVersion(
        municipality=draft.municipality,
        label=draft.label,
        process_id=prepared.parsed.process_id,
        filename=draft.filename,
        bpmn_xml=draft.bpmn_xml,
        catalog=prepared.parsed.catalog,
        forms=forms_to_json(prepared.forms),
        deadline_table=table_to_dict(prepared.table),
        settings_yaml=files.settings_yaml.decode("utf-8") if files.settings_yaml else None,
    )
