"""Rows of an export file (XLSX, CSV or JSON), numbered as a person sees them in the file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

MAX_ROWS = 50_000  # an export of a year; a larger file is split by the curator


class FileFormatError(ValueError):
    """A file that cannot be read as an export at all (nothing is imported)."""


@dataclass(frozen=True)
class Row:
    """One row: its number in the file (the header is row 1) and its values by column header."""

    number: int
    values: dict[str, Any]


def read_rows(name: str, content: bytes) -> list[Row]:
    """The rows of a file, chosen by its extension."""
    reader = READERS.get(Path(name).suffix.lower())
    if reader is None:
        raise FileFormatError(f"{name}: нужен файл .xlsx, .csv или .json.")
    rows = reader(content)
    if len(rows) > MAX_ROWS:
        raise FileFormatError(f"{name}: больше {MAX_ROWS} строк; разделите файл.")
    return rows


def _table(header: list[Any], records: list[tuple[int, list[Any]]]) -> list[Row]:
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    if not any(names):
        raise FileFormatError("Нет строки заголовков (первая строка пуста).")
    rows = []
    for number, record in records:
        if all(cell in (None, "") for cell in record):
            continue  # blank lines at the end of an export
        values = {
            name: record[i] if i < len(record) else None for i, name in enumerate(names) if name
        }
        rows.append(Row(number, values))
    return rows


def _xlsx(content: bytes) -> list[Row]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileFormatError(f"Файл не читается как XLSX: {error}") from None
    try:
        sheet = workbook.worksheets[0]
        lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not lines:
        raise FileFormatError("Лист пуст.")
    return _table(lines[0], [(number, line) for number, line in enumerate(lines[1:], 2)])


def _csv(content: bytes) -> list[Row]:
    text = _decode(content)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    records: list[tuple[int, list[Any]]] = []
    start = 1
    for record in reader:
        # The record's first line in the file: a quoted text over several lines counts them all.
        records.append((start, record))
        start = reader.line_num + 1
    if not records:
        raise FileFormatError("Файл пуст.")
    return _table(records[0][1], records[1:])


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):  # Excel in Russia saves CSV in Windows-1251
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError("Кодировка не UTF-8 и не Windows-1251.")


def _json(content: bytes) -> list[Row]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise FileFormatError(f"Файл не читается как JSON: {error}") from None
    if isinstance(data, dict):  # {"items": [...]} or another single list under one key
        lists = [value for value in data.values() if isinstance(value, list)]
        data = lists[0] if len(lists) == 1 else None
    if not isinstance(data, list):
        raise FileFormatError("Ожидается список записей (или объект с одним списком).")
    rows = []
    for number, item in enumerate(data, 1):  # in JSON a «row» is the record's place in the list
        rows.append(Row(number, item if isinstance(item, dict) else {"": item}))
    return rows


READERS: dict[str, Callable[[bytes], list[Row]]] = {".xlsx": _xlsx, ".csv": _csv, ".json": _json}
