"""Web settings: the engine's settings plus what only the web needs, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from engine.settings import Settings

TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class WebSettings:
    """Settings of the web process; `from_env()` is the only reader of the environment."""

    engine: Settings = field(default_factory=Settings)
    # Sessions are signed with this; outside the demo the app refuses to start without one.
    secret_key: str = ""
    # The demo (`make run`): a random secret when none is set, demo accounts seeded.
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 5000
    poll_seconds: int = 15
    cookie_secure: bool = False  # set behind HTTPS: the session cookie never travels in clear
    proxy_fix: int = 0  # how many reverse proxies set X-Forwarded-For/-Proto in front of us
    login_rate_limit: str = "10 per minute"  # failed sign-ins per client address
    ratelimit_storage_uri: str = "memory://"  # redis://host:6379 to share among workers
    login_max_failures: int = 5  # wrong passwords in a row before an account is locked
    login_lockout_minutes: int = 15

    @classmethod
    def from_env(cls) -> WebSettings:
        """Build settings from REGLAMENT_* variables, falling back to defaults."""
        defaults = cls()
        env = os.environ.get
        return cls(
            engine=Settings.from_env(),
            secret_key=env("REGLAMENT_SECRET_KEY", defaults.secret_key),
            demo=env("REGLAMENT_DEMO", "").strip().lower() in TRUE,
            host=env("REGLAMENT_WEB_HOST", defaults.host),
            port=int(env("REGLAMENT_WEB_PORT", defaults.port)),
            poll_seconds=int(env("REGLAMENT_TASK_LIST_POLL", defaults.poll_seconds)),
            cookie_secure=env("REGLAMENT_COOKIE_SECURE", "").strip().lower() in TRUE,
            proxy_fix=int(env("REGLAMENT_PROXY_FIX", defaults.proxy_fix)),
            login_rate_limit=env("REGLAMENT_LOGIN_RATE_LIMIT", defaults.login_rate_limit),
            ratelimit_storage_uri=env(
                "REGLAMENT_RATELIMIT_STORAGE_URI", defaults.ratelimit_storage_uri
            ),
            login_max_failures=int(
                env("REGLAMENT_LOGIN_MAX_FAILURES", defaults.login_max_failures)
            ),
            login_lockout_minutes=int(
                env("REGLAMENT_LOGIN_LOCKOUT_MINUTES", defaults.login_lockout_minutes)
            ),
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask configuration these settings give."""
        return {
            "SECRET_KEY": self.secret_key,
            "DEMO": self.demo,
            "DATABASE_URL": self.engine.database_url,
            "PROCESSES_DIR": self.engine.processes_dir,
            "TASK_LIST_POLL_SECONDS": self.poll_seconds,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.cookie_secure,
            "PROXY_FIX": self.proxy_fix,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "LOGIN_MAX_FAILURES": self.login_max_failures,
            "LOGIN_LOCKOUT_MINUTES": self.login_lockout_minutes,
            "BABEL_DEFAULT_LOCALE": "ru",
            "BABEL_TRANSLATION_DIRECTORIES": "translations",
            "WTF_CSRF_TIME_LIMIT": None,  # staff keep a form open all day
            # A step form with a few photos fits; a larger body is refused before it is read.
            "MAX_CONTENT_LENGTH": 8 * self.engine.attachments.max_bytes + 1024 * 1024,
        }
