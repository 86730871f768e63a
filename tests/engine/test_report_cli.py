"""`reglament clauses` and `reglament report regulation`: a version clause by clause."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from tests.conftest import PROCESSES

PERM = PROCESSES / "perm" / "v1" / "perm.bpmn"


def test_clauses_lists_steps_roles_terms_and_what_cites_nothing() -> None:
    result = CliRunner().invoke(main, ["clauses", str(PERM)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    head = lines.index(next(line for line in lines if line.startswith("Пермь, п. 3.1:")))
    assert "Выявление Куратором сообщений" in lines[head]  # the clause's own text
    block = lines[head + 1 : head + 12]
    assert "  шаг: «Рассмотреть сообщение» (screen) — шаг сотрудника" in block
    assert "  роли: Куратор (информационно-аналитическое управление)" in "\n".join(block)
    assert any(
        line.startswith("  срок: 1 час — с поступления сообщения, в календарном времени")
        and "(шаг «Определить исполнителя и направить сообщение»)" in line
        for line in block
    )
    assert any(line.startswith("Пермь, п. 6 (постановление): Контроль") for line in lines)
    assert "NOT CITED п. 1.2.3: лента – постоянно обновляющийся список" in result.output
    assert "CITES NOTHING" not in result.output and "UNTRACED" not in result.output


def test_clauses_names_an_element_citing_nothing_and_a_missing_document(tmp_path: Path) -> None:
    folder = tmp_path / "perm" / "v1"
    shutil.copytree(PERM.parent, folder)
    shutil.copy(PROCESSES / "perm" / "municipality.yaml", folder.parent)
    bpmn = folder / "perm.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    cited = re.compile(r"(id=\"receive_answer\"[^>]*>\s*<bpmn:documentation>)[^<]*")
    assert cited.search(text)
    bpmn.write_text(cited.sub(r"\1Момент получения ответа.", text, count=1), encoding="utf-8")
    result = CliRunner().invoke(main, ["clauses", str(folder)])
    assert result.exit_code == 0, result.output
    assert "CITES NOTHING receive_answer: «Принять ответ исполнителя» — автоматический шаг" in (
        result.output
    )
    assert "NO DOCUMENT processes/perm/document.txt" in result.output


def test_clauses_fails_on_a_table_row_no_timer_writes(tmp_path: Path) -> None:
    folder = tmp_path / "perm" / "v1"
    # Perm before its remodelling (issue 11): the old table format this test exercises.
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "perm_old_table" / "v1", folder)
    shutil.copy(PROCESSES / "perm" / "municipality.yaml", folder.parent)
    table = folder / "deadlines.yaml"
    table.write_text(
        table.read_text(encoding="utf-8").replace("deadline: 48 часов", "deadline: 4 часа"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["clauses", str(folder / "perm.bpmn")])
    assert result.exit_code == 1
    assert "UNTRACED Пермь, п. 3.2.2 draft_private: 4 часа" in result.output
    assert "UNTABLED draft_private_deadline: 48 часов" in result.output


def test_the_regulation_report_is_a_printable_file(tmp_path: Path) -> None:
    out = tmp_path / "perm.html"
    result = CliRunner().invoke(
        main, ["report", "regulation", str(PERM.parent), "--html", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"{out}: " in result.output and "2 uncovered" in result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="ru">' in page
    assert "<link" not in page and "<script" not in page  # self-contained: style inside
    assert "<p>ответы на сообщения, поступившие в ленту, подготавливаются" in page  # 3.2.1
    # п. 3.1: an hour from arrival; Friday 17:30 in Perm (UTC+5) is due at 18:30 that day.
    assert (
        "сообщение поступило: пятница, 13 марта 2026 г., 17:30 (UTC+5) → "
        "срок: пятница, 13 марта 2026 г., 18:30 (UTC+5)"
    ) in page
    # п. 3.3: 8 hours of service time from Friday 17:30 run to Monday 17:30.
    assert "срок: понедельник, 16 марта 2026 г., 17:30 (UTC+5)" in page
    assert (
        "Friday evening, a feed message on the Head&#39;s VK page goes to two departments" in page
    )
    assert "Пункты, которые не проверяет ни один сценарий" in page
