"""`reglament deadline` as a click command."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.worktime.cli import deadline_command

PROCESSES = str(Path(__file__).resolve().parents[2] / "processes")


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(deadline_command, list(args), env=env)
    return result.exit_code, result.output


def test_prints_the_due_moment() -> None:
    code, out = _run(
        "--municipality", "perm", "--from", "2025-10-31T17:30+05:00",
        "--processes-dir", PROCESSES, "8 рабочих часов",
    )  # fmt: skip
    assert (code, out) == (0, "2025-11-05T09:30:00+05:00\n")


def test_processes_dir_from_environment_and_utc_input() -> None:
    code, out = _run(
        "--municipality", "palana", "--from", "2025-06-11T04:30:00Z", "5 рабочих дней",
        env={"REGLAMENT_PROCESSES_DIR": PROCESSES},
    )  # fmt: skip
    assert (code, out) == (0, "2025-06-20T18:00:00+12:00\n")


def test_naive_start_is_read_in_the_municipality_zone() -> None:
    code, out = _run(
        "-m", "elets", "--from", "2025-10-15T13:20", "--processes-dir", PROCESSES,
        "--explain", "30 рабочих минут",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        "срок: 30 рабочих минут (рабочее время), Europe/Moscow",
        "начало: 2025-10-15T13:20:00+03:00",
        "2025-10-15T14:30:00+03:00",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-m", "perm", "--from", "yesterday", "1 час"], "ISO 8601"),
        (["-m", "perm", "--from", "2025-10-15T10:00", "скоро"], "Принимаются"),
        (["-m", "atlantis", "--from", "2025-10-15T10:00", "1 час"], "нет такого файла"),
    ],
)
def test_errors_are_explained(args: list[str], words: str) -> None:
    code, out = _run(*args, "--processes-dir", PROCESSES)
    assert code != 0
    assert words in out


def test_plain_hours_are_read_as_the_regulation_reads_them() -> None:
    """Chaykovsky sets plain hours to working hours; Perm does not."""
    from tests.conftest import PROCESSES

    def due(municipality: str) -> str:
        result = CliRunner().invoke(
            deadline_command,
            [
                "-m",
                municipality,
                "--from",
                "2026-03-13T17:30:00+05:00",
                "--processes-dir",
                str(PROCESSES),
                "2 часа",
            ],
        )
        assert result.exit_code == 0, result.output
        return result.output.strip()

    assert due("perm") == "2026-03-13T19:30:00+05:00"
    assert due("chaykovsky") == "2026-03-16T10:30:00+05:00"
