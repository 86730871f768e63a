"""The report as plain text for the terminal."""

from __future__ import annotations

from engine.reports.model import Cell, Report, Table


def render_text(report: Report) -> str:
    """Every table as aligned columns, then what the data could not tell."""
    head = (
        f"{report.title}: {report.filters.date_from.isoformat()} — "
        f"{report.filters.date_to.isoformat()} ({report.timezone})"
    )
    lines = [head]
    if report.filters.department:
        lines.append(f"подразделение: {report.filters.department}")
    if report.filters.source:
        lines.append(f"источник: {report.filters.source}")
    for table in report.tables:
        lines.extend(["", *table_lines(table)])
    lines.extend(["", "Чего данные пока не содержат:"])
    lines.extend(f"- {item}" for item in report.missing)
    return "\n".join(lines)


def table_lines(table: Table) -> list[str]:
    """A table's title, header and rows, columns padded to their widest cell."""
    header = [*table.labels, *table.columns]
    body = [[*labels, *(cell_text(cell) for cell in cells)] for labels, cells in table.rows]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    out = [table.title]
    for row in [header, *body]:
        out.append("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)))
    if not body:
        out.append("(нет данных)")
    return out


def cell_text(cell: Cell) -> str:
    """A cell's value as printed: a dash for none."""
    if cell.value is None:
        return "—"
    return str(cell.value)
