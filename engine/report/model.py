"""The regulation report: per clause its text, the steps, who, the terms, and what proves it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from engine.bpmn.catalog import clauses_in
from engine.municipalities import Municipality, RegulationCalendar
from engine.regulation.document import Clause, Document
from engine.regulation.table import DeadlineTable
from engine.report.deadlines import DeadlineView, deadline_views
from engine.report.wording import element_kind, moment_words
from engine.selftest import Evidence
from engine.traceability import cited_clauses, uncited_elements

# The worked example of every term starts at an awkward moment: a Friday evening after hours,
# in the municipality's zone, on the real production calendar (13 March 2026, 17:30).
EXAMPLE_DAY = date(2026, 3, 13)
EXAMPLE_TIME = time(17, 30)
CLAUSE_NUMBER = ", п. "


@dataclass(frozen=True)
class StepView:
    """An element of the diagram as the report names it: Russian name, kind, lane."""

    id: str
    name: str
    kind: str
    lane: str


@dataclass(frozen=True)
class ClauseView:
    """One cited clause: its text, what implements it, the terms, the scenarios that exercise it."""

    citation: str  # «Пермь, п. 3.1», as the diagram cites it
    number: str
    text: str | None  # None: the document is not kept, or has no such clause
    part: str | None  # "regulation", or "decree" for a point of the approving act
    context: Clause | None  # the clause this one is part of («3.2» for «3.2.1»)
    steps: tuple[StepView, ...]
    roles: tuple[str, ...]
    deadlines: tuple[DeadlineView, ...]
    scenarios: tuple[str, ...]


@dataclass(frozen=True)
class RegulationReport:
    """The whole report of one version of a municipality's regulation."""

    municipality: str
    title: str
    process: str
    label: str
    example_start: str
    clauses: tuple[ClauseView, ...]
    uncited_elements: tuple[StepView, ...]
    uncited_document: tuple[Clause, ...]
    unknown_citations: tuple[str, ...]  # cited, but the document has no such clause
    has_document: bool
    evidence: Evidence | None
    uncovered: tuple[str, ...] = field(default=())  # cited, no scenario exercises it


@dataclass(frozen=True)
class ReportInputs:
    """What a report is built from: a version (catalog, XML, table) and the municipality."""

    catalog: dict[str, Any]
    root: Any
    table: DeadlineTable
    reader: RegulationCalendar
    settings: Municipality
    document: Document | None
    label: str
    evidence: Evidence | None


def example_start(settings: Municipality) -> datetime:
    """The worked examples' start: Friday 13 March 2026, 17:30 in the municipality's zone."""
    return datetime.combine(EXAMPLE_DAY, EXAMPLE_TIME, tzinfo=ZoneInfo(settings.timezone))


def build_report(inputs: ReportInputs) -> RegulationReport:
    """The report of a version: every clause it cites, in the document's order."""
    catalog, document = inputs.catalog, inputs.document
    start = example_start(inputs.settings)
    deadlines = deadline_views(catalog, inputs.root, inputs.table, inputs.reader, start)
    citations = cited_clauses(catalog, inputs.table)
    clauses = sorted(
        (_clause_view(citation, inputs, deadlines) for citation in citations),
        key=lambda view: _order(view, document),
    )
    evidence = inputs.evidence
    return RegulationReport(
        municipality=inputs.settings.name,
        title=inputs.settings.title,
        process=catalog.get("name") or catalog["process_id"],
        label=inputs.label,
        example_start=moment_words(start),
        clauses=tuple(clauses),
        uncited_elements=tuple(
            _step(catalog, element_id) for element_id in uncited_elements(catalog, inputs.root)
        ),
        uncited_document=tuple(
            document.uncited(cited_numbers(citations, catalog)) if document else ()
        ),
        unknown_citations=tuple(
            view.citation for view in clauses if document is not None and view.text is None
        ),
        has_document=document is not None,
        evidence=evidence,
        uncovered=tuple(
            view.citation for view in clauses if evidence and evidence.tested and not view.scenarios
        ),
    )


def cited_numbers(citations: set[str], catalog: dict[str, Any]) -> set[str]:
    """The clause numbers cited, the process's own description included (Perm, п. 2.1)."""
    every = citations | set(clauses_in(catalog.get("documentation") or ""))
    return {citation.split(CLAUSE_NUMBER, 1)[1] for citation in every if CLAUSE_NUMBER in citation}


def _clause_view(citation: str, inputs: ReportInputs, deadlines: list[DeadlineView]) -> ClauseView:
    catalog, document = inputs.catalog, inputs.document
    number = citation.split(CLAUSE_NUMBER, 1)[-1]
    found = document.expand(number) if document else []
    above = document.parent_of(found[0]) if document and len(found) == 1 else None
    steps = [
        _step(catalog, element["id"])
        for element in catalog["elements"].values()
        if citation in element["clauses"]
    ]
    roles = [lane["name"] for lane in catalog["lanes"].values() if citation in lane["clauses"]]
    roles += [step.lane for step in steps if step.lane]
    terms = tuple(view for view in deadlines if citation in view.clauses)
    roles += [_step(catalog, step).lane for view in terms for step in view.steps]
    evidence = inputs.evidence
    return ClauseView(
        citation=citation,
        number=number,
        text="\n".join(_numbered(clause, len(found) > 1) for clause in found) or None,
        part=found[0].part if found else None,
        context=above,
        steps=tuple(steps),
        roles=tuple(role for role in dict.fromkeys(roles) if role),
        deadlines=terms,
        scenarios=tuple(evidence.scenarios_for(citation)) if evidence else (),
    )


def _numbered(clause: Clause, several: bool) -> str:
    return f"{clause.number}. {clause.text}" if several else clause.text


def _step(catalog: dict[str, Any], element_id: str) -> StepView:
    element = catalog["elements"][element_id]
    lane = catalog["lanes"].get(element.get("lane") or "", {}).get("name", "")
    if not lane and element.get("attached_to"):  # a timer stands in its step's lane
        host = catalog["elements"].get(element["attached_to"], {})
        lane = catalog["lanes"].get(host.get("lane") or "", {}).get("name", "")
    kind = element_kind(element["type"])
    if element["type"] == "boundaryEvent" and not element.get("timer"):
        kind = "событие на шаге"  # an escalation or a message caught on a step, not a term
    return StepView(element_id, element["name"] or element_id, kind, lane)


def _order(view: ClauseView, document: Document | None) -> tuple[int, int, tuple[int, ...]]:
    """Document order (the regulation, then the decree), then unknown clauses by number."""
    numbers = tuple(int(part) for part in _leading_number(view.number).split(".") if part)
    if document is not None and view.text is not None:
        ordered = [clause.number for clause in (*document.clauses, *document.decree)]
        first = view.number.split("–")[0].split("-")[0].strip()
        if first in ordered:
            return (0, ordered.index(first), numbers)
    return (1, 0, numbers)


def _leading_number(number: str) -> str:
    digits = []
    for char in number:
        if not (char.isdigit() or char == "."):
            break
        digits.append(char)
    return "".join(digits).strip(".")
