"""`reglament report -m M --from --to` in text, JSON and XLSX; bad input is refused clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from engine.cli import main
from tests.reports.conftest import Built

WEEK = ["-m", "perm", "--from", "2026-03-16", "--to", "2026-03-20"]


@pytest.fixture
def cli_env(built: Built, monkeypatch: pytest.MonkeyPatch) -> Built:
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", built.url)
    return built


def test_the_report_prints_its_tables(cli_env: Built) -> None:
    result = CliRunner().invoke(main, ["report", *WEEK])
    assert result.exit_code == 0, result.output
    assert "Сроки по пунктам регламента" in result.output
    assert "Петрова Ольга" in result.output


def test_json_holds_the_same_figures(cli_env: Built) -> None:
    result = CliRunner().invoke(main, ["report", *WEEK, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_clause = next(t for t in data["tables"] if t["key"] == "by_clause")
    row = next(r for r in by_clause["rows"] if r["пункт"] == "Пермь, п. 3.2.1")
    assert (row["в срок"], row["с нарушением"]) == (6, 5)


def test_xlsx_holds_the_tables_and_a_chart_sheet(cli_env: Built, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["report", *WEEK, "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Отчёт", "Диаграммы"]
    sheet = book["Отчёт"]
    assert sheet["A1"].value == "Своевременность ответов: город Пермь"
    assert sheet["B2"].value.date().isoformat() == "2026-03-16"
    rows = {(row[0].value, row[1].value): row for row in sheet.iter_rows(min_row=6) if row[0].value}
    late = rows[("Пермь, п. 3.2.1", 6)]
    assert late[2].value == 5
    header = next(row for row in sheet.iter_rows(min_row=6) if row[0].value == "пункт")
    assert header[0].font.bold and header[1].value == "в срок"
    assert sheet.column_dimensions["A"].width >= len("Департамент дорог и благоустройства")
    assert len(book["Диаграммы"]._charts) >= 4


def test_bad_input_is_refused_in_russian(cli_env: Built) -> None:
    unknown = CliRunner().invoke(
        main, ["report", "-m", "atlantis", "--from", "2026-03-01", "--to", "2026-03-02"]
    )
    assert unknown.exit_code != 0 and "нет муниципалитета «atlantis»" in unknown.output
    backwards = CliRunner().invoke(
        main, ["report", "-m", "perm", "--from", "2026-03-20", "--to", "2026-03-01"]
    )
    assert backwards.exit_code != 0 and "конец периода раньше его начала" in backwards.output
    bare = CliRunner().invoke(main, ["report"])
    assert bare.exit_code != 0 and "-m M --from DATE --to DATE" in bare.output


def test_the_regulation_subcommand_still_works(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    bpmn = Path(__file__).resolve().parents[2] / "processes" / "perm" / "v1"
    result = CliRunner().invoke(main, ["report", "regulation", str(bpmn), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()
