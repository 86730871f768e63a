"""`reglament calendar show YEAR` and `reglament calendar load FILE`."""

import json
from pathlib import Path

from click.testing import CliRunner, Result

from engine.cli import main
from engine.settings import Settings

FIXTURES = Path(__file__).parent / "calendars"


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["calendar", *args], env=env)


def test_show_a_decree_year_as_a_lawyer_reads_it(tmp_path: Path) -> None:
    result = _run("show", "2025", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Производственный календарь 2025 года (пятидневная рабочая неделя)"
    assert lines[1].startswith("Статус: по постановлению Правительства о переносе выходных дней")
    assert "Рабочих дней: 247; норма часов при 40-часовой неделе: 1972" in lines
    assert "  07.01.2025 вт  Рождество Христово" in lines
    assert "  03.11.2025 пн  Выходной (перенесено с 01.11.2025)" in lines
    assert "  01.11.2025 сб  рабочий день вместо 03.11.2025 пн" in lines
    assert (
        "  01.11.2025 сб  работа перенесена с 03.11.2025 (пн), кануна праздника 04.11.2025" in lines
    )
    assert "Внимание" not in result.output


def test_show_a_forecast_year_warns(tmp_path: Path) -> None:
    result = _run("show", "2028", "--dir", str(tmp_path))
    assert result.exit_code == 0
    assert "Статус: прогноз" in result.output
    assert "Внимание: переносы выходных на этот год не утверждены" in result.output
    assert "Рабочие выходные дни:\n  нет" in result.output


def test_load_stores_the_year_normalised_with_an_audit_line(tmp_path: Path) -> None:
    file = FIXTURES / "xmlcalendar-ru-2025.xml"
    result = _run("load", str(file), "--dir", str(tmp_path), "--actor", "ivanova")
    assert result.exit_code == 0, result.output
    assert "по дням совпадает с прежним календарем" in result.output
    stored = json.loads((tmp_path / "2025.json").read_text(encoding="utf-8"))
    assert stored["source"]["format"] == "xmlcalendar"
    assert stored["loaded"]["by"] == "ivanova"
    assert stored["working_days"] == ["2025-11-01"]
    (audit,) = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(audit)
    assert (entry["year"], entry["by"], entry["was"], entry["changes"]) == (
        2025,
        "ivanova",
        "decree",
        [],
    )
    shown = _run("show", "2025", "--dir", str(tmp_path)).output
    assert "Статус: официальный производственный календарь, загружен из файла" in shown
    assert "Источник: xmlcalendar-ru-2025.xml (xmlcalendar.ru, calendar.xml)" in shown


def test_load_prints_what_changed_and_dry_run_stores_nothing(tmp_path: Path) -> None:
    # The real 2026 file edited so that a change is visible: 16 June made a day off.
    data = (FIXTURES / "isdayoff-ru2026.json").read_text(encoding="utf-8")
    edited = tmp_path / "ru2026.json"
    edited.write_text(data.replace('"0612",', '"0612",\n    "0616",'), encoding="utf-8")
    store = tmp_path / "calendars"
    result = _run("load", str(edited), "--dir", str(store), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "16.06.2026 вт: было рабочий день, стало выходной" in result.output
    assert "ничего не сохранено" in result.output
    assert not store.exists()
    result = _run("load", str(edited), env={"REGLAMENT_CALENDARS_DIR": str(store)})
    assert result.exit_code == 0, result.output
    assert (store / "2026.json").exists()


def test_a_refused_file_stores_nothing(tmp_path: Path) -> None:
    data = (FIXTURES / "xmlcalendar-ru-2025.xml").read_text(encoding="utf-8")
    bad = tmp_path / "calendar.xml"
    bad.write_text(data.replace('country="ru"', 'country="by"'), encoding="utf-8")
    store = tmp_path / "calendars"
    result = _run("load", str(bad), "--dir", str(store))
    assert result.exit_code == 1
    assert "refused: calendar.xml: календарь страны 'by'" in result.output
    assert not store.exists()


def test_a_broken_stored_year_is_reported_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "2025.json").write_text("{", encoding="utf-8")
    result = _run("show", "2025", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "2025.json: не прочитан" in result.output


def test_the_default_directory_is_beside_processes_not_inside() -> None:
    settings = Settings()
    assert settings.calendars_dir.name == "calendars"
    assert settings.calendars_dir.parent == settings.processes_dir.parent
