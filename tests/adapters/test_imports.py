"""ИМ/ПОС imports: sample exports, row errors, re-import, dry run, all-or-nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from adapters.channel import Context
from adapters.imports.files import FileFormatError, read_rows
from adapters.imports.importer import ImportReport, import_rows, missing_columns
from adapters.imports.mapping import MappingError, find_mapping
from engine.cli import main
from engine.db import make_engine, make_session_factory
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.versions import deploy_file
from tests.adapters.conftest import messages, stored
from tests.conftest import EXAMPLE_BPMN, PROCESSES
from tests.engine.helpers import open_tasks
from tests.web.conftest import login
from tests.web.helpers import complete

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


def run(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    name: str,
    mapping: str | None = None,
    **options: bool,
) -> ImportReport:
    path = FIXTURES / name
    rows = read_rows(path.name, path.read_bytes())
    chosen = find_mapping("example", mapping, environ={})
    assert missing_columns(chosen, rows) == []
    context = Context(sessions=sessions, runtime=runtime)
    return import_rows(context, "example", chosen, rows, actor="curator", **options)


def test_csv_export_imports_good_rows_and_lists_bad_ones_by_row(
    sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    report = run(sessions, web_runtime, "incident_manager.csv")
    assert report.imported == 3 and report.already == 0
    errors = dict(report.errors)
    assert sorted(errors) == [5, 6, 7]  # the multi-line text of row 3 takes lines 3 and 4
    assert "«Текст» (текст): пусто" in errors[5]
    assert "не дата «вчера»" in errors[6]
    assert errors[7].startswith("ссылка:")
    first, second, third = messages(sessions)
    assert first.source == "incident_manager" and first.external_id == "IM-1001"
    assert first.channel == "comment" and first.author_id == "https://vk.com/id100"
    assert first.received_at == datetime(2026, 3, 15, 15, 20, tzinfo=UTC)  # Moscow time
    assert second.text == "Яма на дороге\nу школы № 3, уже неделю" and second.channel == "feed"
    assert third.channel == "private" and third.author_id == "Ирина"
    assert all(message.instance_id for message in (first, second, third))


def test_reimporting_the_same_file_imports_nothing_new(
    sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    run(sessions, web_runtime, "incident_manager.csv")
    again = run(sessions, web_runtime, "incident_manager.csv")
    assert again.imported == 0 and again.already == 3 and len(again.errors) == 3
    assert stored(sessions) == (3, 0)


def test_xlsx_and_json_exports(sessions: sessionmaker[Session], web_runtime: Runtime) -> None:
    xlsx = run(sessions, web_runtime, "incident_manager.xlsx")
    assert xlsx.imported == 2 and [number for number, _ in xlsx.errors] == [4]
    pos = run(sessions, web_runtime, "feedback_platform.json", "feedback_platform")
    assert pos.imported == 2 and pos.errors == []
    ids = [(m.source, m.external_id) for m in messages(sessions)]
    assert ids == [
        ("incident_manager", "2001"),
        ("incident_manager", "2002"),
        ("feedback_platform", "POS-77"),
        ("feedback_platform", "POS-78"),
    ]


def test_dry_run_and_all_or_nothing_store_nothing(
    sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    dry = run(sessions, web_runtime, "incident_manager.csv", dry_run=True)
    assert dry.imported == 3 and len(dry.errors) == 3 and not dry.committed
    strict = run(sessions, web_runtime, "incident_manager.csv", all_or_nothing=True)
    assert strict.imported == 3 and not strict.committed
    assert stored(sessions) == (0, 0)
    clean = run(
        sessions, web_runtime, "feedback_platform.json", "feedback_platform", all_or_nothing=True
    )
    assert clean.committed and stored(sessions) == (2, 0)


def test_a_municipalitys_own_mapping_from_settings(tmp_path: Path) -> None:
    settings = tmp_path / "mappings.yaml"
    settings.write_text(
        "example:\n"
        "  default:\n"
        "    source: incident_manager\n"
        "    columns: {external_id: ID, received_at: Когда, author: Кто, text: Что}\n"
        "    date_formats: ['%d/%m/%Y %H:%M']\n",
        encoding="utf-8",
    )
    environ = {"REGLAMENT_IMPORT_MAPPINGS": str(settings)}
    mapping = find_mapping("example", environ=environ)
    assert mapping.name == "default" and mapping.columns["text"] == "Что"
    assert find_mapping("example", "feedback_platform", environ).source == "feedback_platform"
    with pytest.raises(MappingError, match="Нет сопоставления колонок «nope»"):
        find_mapping("example", "nope", environ)
    settings.write_text("example: {bad: {source: x, columns: {text: T}}}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="нужны колонки для external_id, received_at, author"):
        find_mapping("example", "bad", environ)


def test_unreadable_files_and_missing_columns_are_refused_whole() -> None:
    with pytest.raises(FileFormatError, match=r"xlsx, \.csv или \.json"):
        read_rows("export.txt", b"")
    with pytest.raises(FileFormatError, match="XLSX"):
        read_rows("export.xlsx", b"not a zip")
    with pytest.raises(FileFormatError, match="JSON"):
        read_rows("export.json", b"{")
    rows = read_rows("export.csv", "Номер;Текст\n1;a\n".encode())
    missing = missing_columns(find_mapping("example", environ={}), rows)
    assert missing == ["Номер инцидента", "Дата создания", "Автор"]


def test_the_command_line_imports_with_a_progress_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        deploy_file(session, Runtime(processes_dir=PROCESSES), EXAMPLE_BPMN, "admin")
    engine.dispose()
    # The command runs on the real clock: the rows are an hour old.
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    export = tmp_path / "export.csv"
    export.write_text(
        "Номер инцидента,Дата создания,Автор,Текст\n"
        f"IM-1,{hour_ago},Иван,Мусор\n"
        f"IM-2,{hour_ago},Анна,\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", url)
    runner = CliRunner()
    dry = runner.invoke(main, ["import", str(export), "-m", "example", "--dry-run"])
    assert dry.exit_code == 1 and "строка 3: колонка «Текст» (текст): пусто." in dry.output
    assert "можно импортировать: 1" in dry.output
    done = runner.invoke(main, ["import", str(export), "-m", "example"])
    assert done.exit_code == 1 and "импортировано: 1" in done.output
    again = runner.invoke(main, ["import", str(export), "-m", "example"])
    assert "импортировано: 0" in again.output and "уже были: 1" in again.output
    unknown = runner.invoke(main, ["import", str(export), "-m", "nowhere"])
    assert unknown.exit_code == 2


def test_curators_upload_an_export_and_see_the_refused_rows(app: Flask) -> None:
    client = login(app.test_client(), "curator")
    page = client.get("/messages/import")
    assert page.status_code == 200 and "Импорт выгрузки" in page.text
    assert '<option value="incident_manager" selected>Инцидент Менеджмент</option>' in page.text
    assert '<option value="feedback_platform" >' in page.text
    content = (FIXTURES / "incident_manager.csv").read_bytes()
    checked = client.post(
        "/messages/import",
        data={"file": (io.BytesIO(content), "export.csv"), "dry_run": "1"},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200 and "Только проверка: ничего не сохранено." in checked.text
    done = client.post(
        "/messages/import",
        data={"file": (io.BytesIO(content), "export.csv"), "mapping": "incident_manager"},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200
    assert '<dd id="imported">3</dd>' in done.text and '<dd id="errors">3</dd>' in done.text
    assert "<td>6</td><td>колонка «Дата создания» (дата): не дата «вчера»" in done.text
    empty = client.post("/messages/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Выберите файл" in empty.text
    wrong = client.post(
        "/messages/import",
        data={"file": (io.BytesIO(b"a;b\n1;2\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "нет колонок" in wrong.text


def test_executors_cannot_import(app: Flask) -> None:
    assert login(app.test_client(), "housing").get("/messages/import").status_code == 403


def test_an_imported_incident_gets_perms_own_term_for_im_messages(
    sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    with sessions.begin() as session:
        deploy_file(session, web_runtime, PROCESSES / "perm" / "v1" / "perm.bpmn", "admin")
    export = (
        "Номер инцидента;Дата создания;Автор;Текст\nIM-7;16.03.2026 11:30;Ольга;Не убран снег\n"
    )
    rows = read_rows("perm.csv", export.encode())
    context = Context(sessions=sessions, runtime=web_runtime)
    report = import_rows(context, "perm", find_mapping("perm", environ={}), rows, actor="curator")
    assert report.imported == 1, report.errors
    (message,) = messages(sessions)
    assert message.received_at == datetime(2026, 3, 16, 6, 30, tzinfo=UTC)  # Perm is UTC+5
    case = int(message.instance_id or 0)
    complete(
        sessions, web_runtime, case, "screen", screen_decision="process", page="incident_manager"
    )
    complete(sessions, web_runtime, case, "route", departments=["dzhkh"])
    # Perm 3.3: «Инцидент менеджмент» gives the executor 8 hours of office time.
    assert "draft_service" in [task.element_id for task in open_tasks(sessions, case)]


def test_a_csv_saved_by_excel_in_windows_1251_reads_the_same() -> None:
    text = (FIXTURES / "incident_manager.csv").read_text(encoding="utf-8-sig")
    utf8 = read_rows("a.csv", (FIXTURES / "incident_manager.csv").read_bytes())
    cp1251 = read_rows("b.csv", text.replace("№", "N").encode("cp1251"))
    assert [row.number for row in cp1251] == [row.number for row in utf8] == [2, 3, 5, 6, 7, 8]
    assert cp1251[0].values["Автор"] == "Иван Петров"
