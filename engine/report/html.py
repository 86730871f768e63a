"""The regulation report as one self-contained, printable HTML file (Russian)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine.report.model import RegulationReport

HERE = Path(__file__).resolve().parent
_ENVIRONMENT = Environment(
    loader=FileSystemLoader(HERE),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: RegulationReport) -> str:
    """The report as HTML with its style inside: a file to open, print or send."""
    css = (HERE / "report.css").read_text(encoding="utf-8")
    return _ENVIRONMENT.get_template("regulation.html").render(report=report, css=css)
