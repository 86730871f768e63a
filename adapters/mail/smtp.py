"""One SMTP conversation per mail: connect, STARTTLS if asked, log in if asked, send."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from adapters.mail.settings import MailSettings


class TransientMailError(Exception):
    """The server or the network failed for now: try again later."""


class PermanentMailError(Exception):
    """The server refused this mail for good (a 5xx reply)."""


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Hand the mail to the SMTP server; raises one of the two errors above."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise _by_code(min(codes) if codes else 450, str(error.recipients)) from error
    except smtplib.SMTPResponseException as error:
        raise _by_code(error.smtp_code, _text(error.smtp_error)) from error
    except (smtplib.SMTPException, OSError) as error:  # refused connection, timeout, TLS
        raise TransientMailError(f"SMTP: {error}") from error


def _by_code(code: int, text: str) -> Exception:
    # 5xx is final (no such mailbox, policy) except an authentication failure, which an
    # administrator fixes in the settings: it is retried with backoff like a 4xx.
    if 500 <= code < 600 and code not in (530, 535):
        return PermanentMailError(f"SMTP {code}: {text}")
    return TransientMailError(f"SMTP {code}: {text}")


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
