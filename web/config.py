"""Web settings: the engine's settings plus what only the web needs, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from engine.settings import Settings


@dataclass(frozen=True)
class WebSettings:
    """Settings of the web process; `from_env()` is the only reader of the environment."""

    engine: Settings = field(default_factory=Settings)
    # Sessions are signed with this; a deployment must set its own.
    secret_key: str = "dev"
    host: str = "127.0.0.1"
    port: int = 5000
    poll_seconds: int = 15

    @classmethod
    def from_env(cls) -> WebSettings:
        """Build settings from REGLAMENT_* variables, falling back to defaults."""
        defaults = cls()
        return cls(
            engine=Settings.from_env(),
            secret_key=os.environ.get("REGLAMENT_SECRET_KEY", defaults.secret_key),
            host=os.environ.get("REGLAMENT_WEB_HOST", defaults.host),
            port=int(os.environ.get("REGLAMENT_WEB_PORT", defaults.port)),
            poll_seconds=int(os.environ.get("REGLAMENT_TASK_LIST_POLL", defaults.poll_seconds)),
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask configuration these settings give."""
        return {
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.engine.database_url,
            "PROCESSES_DIR": self.engine.processes_dir,
            "TASK_LIST_POLL_SECONDS": self.poll_seconds,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "BABEL_DEFAULT_LOCALE": "ru",
            "BABEL_TRANSLATION_DIRECTORIES": "translations",
            "WTF_CSRF_TIME_LIMIT": None,  # staff keep a form open all day
        }
