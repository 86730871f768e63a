"""All settings in one place, read from the environment with defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from engine.limits import StepLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'reglament.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Deployment settings; `from_env()` is the only reader of the environment."""

    database_url: str = field(default_factory=_default_database_url)
    processes_dir: Path = PROJECT_ROOT / "processes"
    worker_batch_size: int = 50
    worker_interval_seconds: float = 5.0
    step_time_limit: float = StepLimits.time_seconds
    step_memory_limit_mb: int = StepLimits.memory_mb
    step_engine_steps: int = StepLimits.engine_steps

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from REGLAMENT_* variables, falling back to defaults."""
        defaults = cls()
        return cls(
            database_url=os.environ.get("REGLAMENT_DATABASE_URL", defaults.database_url),
            processes_dir=Path(os.environ.get("REGLAMENT_PROCESSES_DIR", defaults.processes_dir)),
            worker_batch_size=int(
                os.environ.get("REGLAMENT_WORKER_BATCH_SIZE", defaults.worker_batch_size)
            ),
            worker_interval_seconds=float(
                os.environ.get("REGLAMENT_WORKER_INTERVAL", defaults.worker_interval_seconds)
            ),
            step_time_limit=float(
                os.environ.get("REGLAMENT_STEP_TIME_LIMIT", defaults.step_time_limit)
            ),
            step_memory_limit_mb=int(
                os.environ.get("REGLAMENT_STEP_MEMORY_LIMIT", defaults.step_memory_limit_mb)
            ),
            step_engine_steps=int(
                os.environ.get("REGLAMENT_STEP_ENGINE_STEPS", defaults.step_engine_steps)
            ),
        )

    @property
    def step_limits(self) -> StepLimits:
        """The budget of one advance (`engine/limits.py`)."""
        return StepLimits(
            time_seconds=self.step_time_limit,
            memory_mb=self.step_memory_limit_mb,
            engine_steps=self.step_engine_steps,
        )
