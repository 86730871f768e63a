"""The reports page for heads, administrators and curators: timeliness, charts, cases, XLSX."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from engine.municipalities import load_municipality
from engine.reports import Filters, Report, Table, build_report
from engine.reports.web_args import BadFilter, filters_from
from engine.reports.xlsx import write_xlsx
from web import db
from web.auth import current_viewer, roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")
ROLES = ("head", "administrator", "curator")
TOTAL = "Итого"
FILTER_ARGS = ("from", "to", "month", "department", "source")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> tuple[Filters | None, str | None]:
    viewer = current_viewer()
    settings = load_municipality(viewer.municipality, db.runtime().processes_dir)
    try:
        found = filters_from(
            request.args, viewer.municipality, db.runtime().clock.now(), settings.timezone
        )
    except BadFilter as error:
        return None, str(error)
    return found, None


def _choices() -> dict[str, Any]:
    settings = load_municipality(current_viewer().municipality, db.runtime().processes_dir)
    args = {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}
    return {
        "departments": settings.departments,
        "sources": settings.sources,
        "args": args,
        "chart_labels": chart_labels,
        "chart_values": chart_values,
    }


def chart_labels(table: Table) -> list[str]:
    """The chart's categories: each row's labels but the total's."""
    return [" · ".join(x for x in labels if x) for labels, _ in table.rows if labels[0] != TOTAL]


def chart_values(table: Table) -> list[Any]:
    """The chart column's values of the same rows (none drawn as zero)."""
    index = table.columns.index(table.chart or "")
    return [cells[index].value or 0 for labels, cells in table.rows if labels[0] != TOTAL]


@bp.route("/")
@roles_required(*ROLES)
def index() -> ResponseReturnValue:
    """The report of the chosen period, with a chart and a table per figure group."""
    return _report_page(printable=False)


@bp.route("/monthly")
@roles_required(*ROLES)
def monthly() -> ResponseReturnValue:
    """The monthly analysis for the head (Myasnikovsky п. 13) as a printable page."""
    return _report_page(printable=True)


def _report_page(*, printable: bool) -> ResponseReturnValue:
    """The report page for the request's filters; bad filters: 400 with the reason."""
    filters, problem = _filters()
    if filters is None:
        return render_template(
            "reports/index.html", report=None, problem=problem, **_choices()
        ), 400
    report = build_report(db.session(), db.runtime(), filters)
    return render_template(
        "reports/index.html", report=report, problem=None, printable=printable, **_choices()
    )


@bp.route("/cases")
@roles_required(*ROLES)
def cases() -> ResponseReturnValue:
    """The cases behind one figure: table key, row number and column number of the report."""
    filters, problem = _filters()
    if filters is None:
        return render_template("reports/cases.html", problem=problem), 400
    report = build_report(db.session(), db.runtime(), filters)
    table, labels, column, cell = _figure(report)
    return render_template(
        "reports/cases.html", problem=None, table=table, labels=labels, column=column, cell=cell
    )


def _figure(report: Report) -> tuple[Any, tuple[str, ...], str, Any]:
    try:
        table = report.table(request.args.get("table", ""))
        labels, cells = table.rows[int(request.args.get("row", ""))]
        index = int(request.args.get("column", ""))
        return table, labels, table.columns[index], cells[index]
    except (KeyError, ValueError, IndexError):
        abort(404)


@bp.route("/report.xlsx")
@roles_required(*ROLES)
def download() -> ResponseReturnValue:
    """The same report as an XLSX workbook (tables and a chart sheet)."""
    filters, problem = _filters()
    if filters is None:
        return Response(problem, status=400, mimetype="text/plain")
    report = build_report(db.session(), db.runtime(), filters)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write_xlsx(report, path)
        body = path.read_bytes()
    name = f"report-{filters.municipality}-{filters.date_from}-{filters.date_to}.xlsx"
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
