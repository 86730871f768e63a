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
class IntakeLimits:
    """Bounds of an incoming message: how old or early it may be and how long its text."""

    # A source catching up after an outage, or a post found late, is still taken in; a date
    # further back is a broken adapter, not a citizen's message (its deadlines would all be due).
    max_age_days: int = 366
    # Clock skew between a source system and ours.
    max_future_minutes: int = 10
    # Characters of text; attachments travel as links or files, not as text in workflow state.
    max_text: int = 65536


# Photos and documents staff attach to steps (engine/attachments): sniffed from the bytes.
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")


PACKAGE_FOLDERS = ("engine", "web", "adapters", "processes", "calendars")


def _package_holding(directory: Path) -> Path | None:
    """The code folder `directory` lies in, if any."""
    resolved = directory.resolve()
    for name in PACKAGE_FOLDERS:
        folder = (PROJECT_ROOT / name).resolve()
        if resolved == folder or folder in resolved.parents:
            return folder
    return None


def _default_attachments_dir() -> Path:
    # Beside the demo database, never inside a package folder (engine/, web/, adapters/).
    return PROJECT_ROOT / "instance" / "attachments"


@dataclass(frozen=True)
class AttachmentSettings:
    """Where uploaded files live and what may be uploaded (REGLAMENT_ATTACHMENTS_*)."""

    directory: Path = field(default_factory=_default_attachments_dir)
    max_bytes: int = 10 * 1024 * 1024  # a phone's photo is 2–6 MB
    # A decompressed photo's pixels: a 40-megapixel phone camera passes, a pixel bomb does not.
    max_pixels: int = 50_000_000
    types: tuple[str, ...] = ATTACHMENT_TYPES
    thumbnail_px: int = 320

    def __post_init__(self) -> None:
        # Uploaded files never land among the code (a deploy would ship or delete them).
        inside = _package_holding(Path(self.directory))
        if inside is not None:
            raise ValueError(
                f"REGLAMENT_ATTACHMENTS_DIR {self.directory} lies inside the package folder "
                f"{inside}: choose a directory outside the installation"
            )
        if self.max_bytes < 1 or self.max_pixels < 1:
            raise ValueError("REGLAMENT_ATTACHMENTS_MAX_BYTES and _MAX_PIXELS must be positive")


@dataclass(frozen=True)
class Settings:
    """Deployment settings; `from_env()` is the only reader of the environment."""

    database_url: str = field(default_factory=_default_database_url)
    processes_dir: Path = PROJECT_ROOT / "processes"
    # Official production calendars loaded by `reglament calendar load`, one JSON per year.
    calendars_dir: Path = PROJECT_ROOT / "calendars"
    worker_batch_size: int = 50
    worker_interval_seconds: float = 5.0
    intake: IntakeLimits = field(default_factory=IntakeLimits)
    # scrypt's N for new password hashes: OWASP's 2^17; only tests lower it (tests/conftest.py).
    password_scrypt_n: int = 2**17
    step_time_limit: float = StepLimits.time_seconds
    step_memory_limit_mb: int = StepLimits.memory_mb
    step_engine_steps: int = StepLimits.engine_steps
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)

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
            intake=_intake_from_env(defaults.intake),
            password_scrypt_n=_power_of_two(
                os.environ.get("REGLAMENT_PASSWORD_SCRYPT_N", defaults.password_scrypt_n)
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
            attachments=_attachments_from_env(defaults.attachments),
        )

    @property
    def step_limits(self) -> StepLimits:
        """The budget of one advance (`engine/limits.py`)."""
        return StepLimits(
            time_seconds=self.step_time_limit,
            memory_mb=self.step_memory_limit_mb,
            engine_steps=self.step_engine_steps,
        )


def _intake_from_env(defaults: IntakeLimits) -> IntakeLimits:
    return IntakeLimits(
        max_age_days=int(os.environ.get("REGLAMENT_INTAKE_MAX_AGE_DAYS", defaults.max_age_days)),
        max_future_minutes=int(
            os.environ.get("REGLAMENT_INTAKE_MAX_FUTURE_MINUTES", defaults.max_future_minutes)
        ),
        max_text=int(os.environ.get("REGLAMENT_INTAKE_MAX_TEXT", defaults.max_text)),
    )


def _attachments_from_env(defaults: AttachmentSettings) -> AttachmentSettings:
    types = os.environ.get("REGLAMENT_ATTACHMENTS_TYPES")
    return AttachmentSettings(
        directory=Path(os.environ.get("REGLAMENT_ATTACHMENTS_DIR", defaults.directory)),
        max_bytes=int(os.environ.get("REGLAMENT_ATTACHMENTS_MAX_BYTES", defaults.max_bytes)),
        max_pixels=int(os.environ.get("REGLAMENT_ATTACHMENTS_MAX_PIXELS", defaults.max_pixels)),
        types=tuple(t.strip() for t in types.split(",") if t.strip()) if types else defaults.types,
        thumbnail_px=defaults.thumbnail_px,
    )


def _power_of_two(value: str | int) -> int:
    """scrypt's N: a power of two above 1, else a clear refusal at start."""
    number = int(value)
    if number < 2 or number & (number - 1):
        raise ValueError(f"REGLAMENT_PASSWORD_SCRYPT_N must be a power of two, not {value}")
    return number
