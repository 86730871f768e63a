"""The regulation report: clause by clause, what the version does, who, in what term, proved how."""

from engine.report.html import render_html
from engine.report.model import ClauseView, RegulationReport, StepView, build_report
from engine.report.sources import (
    active_report,
    bpmn_of,
    folder_inputs,
    folder_report,
    version_report,
)

__all__ = [
    "ClauseView",
    "RegulationReport",
    "StepView",
    "active_report",
    "bpmn_of",
    "build_report",
    "folder_inputs",
    "folder_report",
    "render_html",
    "version_report",
]
