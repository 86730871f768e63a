"""What every engine call needs besides the session: the clock, where processes live, budgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.clock import Clock, SystemClock
from engine.limits import StepLimits
from engine.settings import AttachmentSettings, IntakeLimits, Settings


@dataclass(frozen=True)
class Runtime:
    """The injected clock, the processes folder, intake limits, the step budget, the files."""

    clock: Clock = field(default_factory=SystemClock)
    processes_dir: Path = field(default_factory=lambda: Settings().processes_dir)
    intake: IntakeLimits = field(default_factory=IntakeLimits)
    limits: StepLimits = field(default_factory=lambda: Settings.from_env().step_limits)
    attachments: AttachmentSettings = field(default_factory=lambda: Settings.from_env().attachments)
