"""The report as an XLSX workbook: one sheet of tables, a chart sheet, dates in the local zone."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from engine.reports.model import Report, Table

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=13)
DATE_FORMAT = "DD.MM.YYYY HH:MM"
MAX_WIDTH = 60
SUMMARY, CHARTS = "Отчёт", "Диаграммы"


def write_xlsx(report: Report, path: Path) -> None:
    """Write the report's tables and their charts to `path`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = SUMMARY
    _head(sheet, report)
    placed: list[tuple[Table, int]] = []
    row = 6
    for table in report.tables:
        placed.append((table, row + 1))
        row = _write_table(sheet, table, row) + 2
    _widths(sheet)
    _charts(workbook.create_sheet(CHARTS), sheet, placed)
    workbook.save(path)


def _head(sheet: Worksheet, report: Report) -> None:
    zone = ZoneInfo(report.timezone)
    sheet["A1"] = f"Своевременность ответов: {report.title}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"], sheet["B2"] = "Период с", report.filters.date_from
    sheet["C2"], sheet["D2"] = "по", report.filters.date_to
    sheet["B2"].number_format = sheet["D2"].number_format = "DD.MM.YYYY"
    sheet["A3"], sheet["B3"] = (
        "Сформирован",
        report.generated_at.astimezone(zone).replace(tzinfo=None),
    )
    sheet["B3"].number_format = DATE_FORMAT
    sheet["C3"] = report.timezone
    filters = ", ".join(
        f"{name}: {value}"
        for name, value in (
            ("подразделение", report.filters.department),
            ("источник", report.filters.source),
        )
        if value
    )
    sheet["A4"] = f"Отбор: {filters}" if filters else "Отбор: все подразделения и источники"


def _write_table(sheet: Worksheet, table: Table, row: int) -> int:
    """Write a table from `row` (its title), return the last row written."""
    sheet.cell(row=row, column=1, value=table.title).font = TITLE_FONT
    header = [*table.labels, *table.columns]
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=row + 1, column=column, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for offset, (labels, cells) in enumerate(table.rows, start=2):
        values = [*labels, *(cell.value for cell in cells)]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row + offset, column=column, value=value)
    return row + 1 + len(table.rows)


def _widths(sheet: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 8), len(str(cell.value)) + 2)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width, MAX_WIDTH)


def _charts(charts: Worksheet, data: Worksheet, placed: list[tuple[Table, int]]) -> None:
    """A bar chart of each table's chart column, the data read from the summary sheet."""
    anchor_row = 1
    for table, header_row in placed:
        rows = [labels for labels, _ in table.rows if labels[0] != "Итого"]
        if table.chart is None or not rows:
            continue
        column = len(table.labels) + table.columns.index(table.chart) + 1
        chart = BarChart()
        chart.title = f"{table.title}: {table.chart}"
        chart.legend = None
        chart.add_data(
            Reference(data, min_col=column, min_row=header_row, max_row=header_row + len(rows)),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(data, min_col=1, min_row=header_row + 1, max_row=header_row + len(rows))
        )
        chart.width, chart.height = 22, 9
        charts.add_chart(chart, f"A{anchor_row}")
        anchor_row += 20
