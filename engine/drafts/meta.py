"""What the modeler's panel offers for a draft: its forms, lanes, deadline rows and clauses."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

from lxml import etree

from engine.bpmn.catalog import BPMN_NS, NS, build_catalog, parse_xml
from engine.forms import FormDeclarationError, declared_in, library
from engine.models import VersionDraft
from engine.municipalities import load_municipality, regulation_calendar
from engine.regulation.table import TableError, read_table, read_table_yaml
from engine.report.deadlines import deadline_views
from engine.report.model import example_start


def element_clauses(xml: bytes) -> dict[str, list[str]]:
    """Each element's and lane's clause citations, for the badges on the canvas."""
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        return {}
    found: dict[str, list[str]] = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        catalog = build_catalog(root, process.get("id"))
        for item in (*catalog["lanes"].values(), *catalog["elements"].values()):
            if item["clauses"]:
                found[item["id"]] = list(dict.fromkeys(item["clauses"]))
    return found


def version_meta(draft: VersionDraft, processes_dir: Path) -> dict[str, Any]:
    """The panel's choices: forms by key, lanes, deadline rows with a worked example."""
    xml = draft.bpmn_xml.encode("utf-8")
    return {
        "forms": _forms(draft.forms_yaml),
        "deadlines": deadline_rows(draft.municipality, xml, draft.deadlines_yaml, processes_dir),
        "clauses": element_clauses(xml),
    }


def _forms(forms_yaml: str | None) -> dict[str, str]:
    forms = dict(library())
    # A broken forms.yaml is the live check's to report; the panel then offers the library.
    with suppress(FormDeclarationError):
        forms.update(declared_in(forms_yaml.encode("utf-8")) if forms_yaml else {})
    return {key: spec.title for key, spec in sorted(forms.items())}


def deadline_rows(
    municipality: str, xml: bytes, table_yaml: str | None, processes_dir: Path
) -> list[dict[str, Any]]:
    """The table's rows as a lawyer reads them: the steps using each, a worked example."""
    try:
        table = read_table(read_table_yaml((table_yaml or "").encode("utf-8") or None))
        root = parse_xml(xml)
    except (TableError, etree.XMLSyntaxError):
        return []
    process = root.find("bpmn:process[@isExecutable='true']", NS)
    if process is None or table.legacy:
        return []
    settings = load_municipality(municipality, Path(processes_dir))
    reader = regulation_calendar(municipality, Path(processes_dir))
    views = deadline_views(
        build_catalog(root, process.get("id")), root, table, reader, example_start(settings)
    )
    return [
        {
            "name": view.name,
            "clause": ", ".join(view.clauses),
            "text": view.text,
            "kind": table[view.name].kind if view.name in table else "",
            "counted": view.counted,
            "start": view.start,
            "steps": list(view.step_names),
            "example": view.example,
        }
        for view in views
    ]
