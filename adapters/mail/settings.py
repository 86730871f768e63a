"""The mail job's settings: the SMTP server, the sender, backoff and the digest's hour."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class MailSettings:
    """How the job reaches the SMTP server and how patiently it retries.

    No host (`REGLAMENT_SMTP_HOST` unset): nothing is sent and the outbox's rows wait.
    """

    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "reglament@localhost"
    starttls: bool = False
    timeout_seconds: float = 20.0
    # Links in the mail point here (the staff UI's public address), e.g. https://reglament.example.
    base_url: str = ""
    # Exponential backoff on SMTP errors: base · 2^(attempt-1), capped.
    backoff_base_seconds: float = 60.0
    backoff_max_seconds: float = 3600.0
    max_attempts: int = 8
    lease_seconds: float = 120.0
    # The daily digest goes out at this hour of the municipality's own time.
    digest_hour: int = 8
    # A mail still unsent this long after its event (no SMTP for days) is dropped, not sent late;
    # longer than a day and a half, so a digest always fits.
    max_age_hours: float = 72.0

    @property
    def configured(self) -> bool:
        """Whether an SMTP server is set."""
        return bool(self.host)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MailSettings:
        """Settings from REGLAMENT_SMTP_* and REGLAMENT_MAIL_*."""
        env = os.environ if environ is None else environ
        d = cls()

        def number(name: str, default: float) -> float:
            return float(env.get(name, default))

        starttls = env.get("REGLAMENT_SMTP_STARTTLS", "0").strip().lower() not in FALSE
        return cls(
            host=env.get("REGLAMENT_SMTP_HOST", d.host).strip(),
            port=int(number("REGLAMENT_SMTP_PORT", 587 if starttls else d.port)),
            user=env.get("REGLAMENT_SMTP_USER", d.user),
            password=env.get("REGLAMENT_SMTP_PASSWORD", d.password),
            sender=env.get("REGLAMENT_MAIL_FROM", d.sender),
            starttls=starttls,
            timeout_seconds=number("REGLAMENT_SMTP_TIMEOUT", d.timeout_seconds),
            base_url=env.get("REGLAMENT_MAIL_BASE_URL", d.base_url).rstrip("/"),
            backoff_base_seconds=number("REGLAMENT_MAIL_BACKOFF_BASE", d.backoff_base_seconds),
            backoff_max_seconds=number("REGLAMENT_MAIL_BACKOFF_MAX", d.backoff_max_seconds),
            max_attempts=int(number("REGLAMENT_MAIL_MAX_ATTEMPTS", d.max_attempts)),
            lease_seconds=number("REGLAMENT_MAIL_LEASE", d.lease_seconds),
            digest_hour=int(number("REGLAMENT_MAIL_DIGEST_HOUR", d.digest_hour)) % 24,
            max_age_hours=max(number("REGLAMENT_MAIL_MAX_AGE_HOURS", d.max_age_hours), 36.0),
        )

    def backoff(self, attempt: int) -> float:
        """Seconds before try number `attempt + 1`."""
        return min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** max(attempt - 1, 0))
