"""Shared set-up of the modeler tests: Perm's staff and what the modeler's export produces."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from tests.conftest import PROCESSES
from tests.web.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PERM_BPMN = PROCESSES / "perm" / "v1" / "perm.bpmn"
PERM_TABLE = PROCESSES / "perm" / "v1" / "deadlines.yaml"


def add_staff(sessions: sessionmaker[Session]) -> None:
    """Perm's legal officer and administrator, and a legal officer of the example town."""
    with sessions.begin() as session:
        for login, role, town in (
            ("perm.legal", "legal", "perm"),
            ("perm.admin", "administrator", "perm"),
            ("example.legal", "legal", "example"),
        ):
            create_user(
                session,
                login=login,
                password=PASSWORD,
                full_name="Юлия Юрист" if role == "legal" else "Администратор",
                roles=[role],
                municipality=town,
                department=None,
            )


def exported(bpmn: Path, timer: str | None = None, expression: str = "") -> str:
    """The file as bpmn-js would save it (bpmn-moddle with the modeler's descriptor)."""
    args = ["node", str(ROOT / "tools" / "moddle-edit.mjs"), str(bpmn)]
    args += [timer, expression] if timer else []
    return subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout
