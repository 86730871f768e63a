"""All settings in one place, read from the environment with defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'reglament.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Deployment settings; `from_env()` is the only reader of the environment."""

    database_url: str = field(default_factory=_default_database_url)
    processes_dir: Path = PROJECT_ROOT / "processes"
    # Official production calendars loaded by `reglament calendar load`, one JSON per year.
    calendars_dir: Path = PROJECT_ROOT / "calendars"
    worker_batch_size: int = 50
    worker_interval_seconds: float = 5.0

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from REGLAMENT_* variables, falling back to defaults."""
        defaults = cls()
        return cls(
            database_url=os.environ.get("REGLAMENT_DATABASE_URL", defaults.database_url),
            processes_dir=Path(os.environ.get("REGLAMENT_PROCESSES_DIR", defaults.processes_dir)),
            calendars_dir=Path(os.environ.get("REGLAMENT_CALENDARS_DIR", defaults.calendars_dir)),
            worker_batch_size=int(
                os.environ.get("REGLAMENT_WORKER_BATCH_SIZE", defaults.worker_batch_size)
            ),
            worker_interval_seconds=float(
                os.environ.get("REGLAMENT_WORKER_INTERVAL", defaults.worker_interval_seconds)
            ),
        )
