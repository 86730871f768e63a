"""The publishing job's settings: API base URLs, backoff, rate limits (REGLAMENT_PUBLISH_*)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


def _default_urls() -> dict[str, str]:
    return {
        "vk": "https://api.vk.com",
        "telegram": "https://api.telegram.org",
        "max": "https://platform-api.max.ru",
    }


@dataclass(frozen=True)
class PublishSettings:
    """How the job reaches the channels and how patiently it retries."""

    base_urls: dict[str, str] = field(default_factory=_default_urls)
    timeout_seconds: float = 10.0
    # Exponential backoff: base · 2^(attempt-1), capped; a channel's own Retry-After wins.
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    max_attempts: int = 12
    # How long a worker holds a row it is sending; a crashed worker's row is taken over after.
    lease_seconds: float = 120.0
    # VK: 20 requests per second per community token; Telegram: about 1 message per second per
    # chat (and 30 per second per bot, which one worker never reaches at this pace).
    vk_per_second: float = 20.0
    telegram_chat_interval_seconds: float = 1.0
    max_per_second: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PublishSettings:
        """Settings from REGLAMENT_PUBLISH_* and REGLAMENT_<CHANNEL>_API_URL."""
        env = os.environ if environ is None else environ
        d = cls()
        urls = {
            name: env.get(f"REGLAMENT_{name.upper()}_API_URL", url).rstrip("/")
            for name, url in d.base_urls.items()
        }

        def number(name: str, default: float) -> float:
            return float(env.get(f"REGLAMENT_PUBLISH_{name}", default))

        return cls(
            base_urls=urls,
            timeout_seconds=number("TIMEOUT", d.timeout_seconds),
            backoff_base_seconds=number("BACKOFF_BASE", d.backoff_base_seconds),
            backoff_max_seconds=number("BACKOFF_MAX", d.backoff_max_seconds),
            max_attempts=int(number("MAX_ATTEMPTS", d.max_attempts)),
            lease_seconds=number("LEASE", d.lease_seconds),
            vk_per_second=number("VK_PER_SECOND", d.vk_per_second),
            telegram_chat_interval_seconds=number(
                "TELEGRAM_CHAT_INTERVAL", d.telegram_chat_interval_seconds
            ),
            max_per_second=number("MAX_PER_SECOND", d.max_per_second),
        )

    def backoff(self, attempt: int) -> float:
        """Seconds before try number `attempt + 1`."""
        return min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** max(attempt - 1, 0))
