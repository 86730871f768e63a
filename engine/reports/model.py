"""The report's shape: tables of cells, each cell with the cases behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Cell:
    """One figure and the ids of the cases it counts."""

    value: float | int | str | None
    cases: tuple[int, ...] = ()


@dataclass
class Table:
    """A titled table: label columns first, then figure columns."""

    key: str
    title: str
    labels: tuple[str, ...]
    columns: tuple[str, ...]
    rows: list[tuple[tuple[str, ...], tuple[Cell, ...]]] = field(default_factory=list)
    chart: str | None = None  # the figure column a bar chart draws, if any

    def add(self, labels: tuple[str, ...], cells: tuple[Cell, ...]) -> None:
        """Append one row."""
        self.rows.append((labels, cells))

    def cell(self, labels: tuple[str, ...], column: str) -> Cell:
        """The cell of a row (by its labels) and column; KeyError if there is none."""
        index = self.columns.index(column)
        for row_labels, cells in self.rows:
            if row_labels == labels:
                return cells[index]
        raise KeyError(labels)


@dataclass(frozen=True)
class Filters:
    """Whose and which cases: municipality, period (dates in its zone), department, source."""

    municipality: str
    date_from: date
    date_to: date  # inclusive
    department: str | None = None
    source: str | None = None


@dataclass
class Report:
    """All tables of one report and what the data could not tell."""

    filters: Filters
    title: str
    timezone: str
    start: datetime
    end: datetime
    generated_at: datetime
    tables: list[Table] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        """The table with this key."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def as_json(self, with_cases: bool = False) -> dict[str, Any]:
        """Plain data for `--json` and the web (case ids only on request: they can be many)."""
        return {
            "municipality": self.filters.municipality,
            "title": self.title,
            "from": self.filters.date_from.isoformat(),
            "to": self.filters.date_to.isoformat(),
            "department": self.filters.department,
            "source": self.filters.source,
            "timezone": self.timezone,
            "generated_at": self.generated_at.isoformat(),
            "missing": list(self.missing),
            "tables": [_table_json(table, with_cases) for table in self.tables],
        }


def _table_json(table: Table, with_cases: bool) -> dict[str, Any]:
    rows = []
    for labels, cells in table.rows:
        row: dict[str, Any] = dict(zip(table.labels, labels, strict=True))
        for column, cell in zip(table.columns, cells, strict=True):
            row[column] = cell.value
            if with_cases:
                row[f"{column}:cases"] = list(cell.cases)
        rows.append(row)
    return {"key": table.key, "title": table.title, "rows": rows}
