"""`reglament mail test ADDRESS`, `reglament mail status`: the SMTP settings, the outbox."""

from __future__ import annotations

from email.message import EmailMessage

import click
from sqlalchemy import func, select

from adapters.mail import smtp
from adapters.mail.settings import MailSettings
from engine.db import make_engine, make_session_factory
from engine.inbox.status import MailStatus
from engine.models import MailMessage
from engine.settings import Settings

TEST_SUBJECT = "Регламент: проверка почты"
TEST_TEXT = "Это проверочное письмо Регламента: почта настроена, уведомления будут приходить.\n"
STATUS_WORDS = {
    MailStatus.PENDING: "ждут отправки",
    MailStatus.SENDING: "отправляются",
    MailStatus.RETRYING: "будут отправлены повторно",
    MailStatus.SENT: "отправлены",
    MailStatus.FAILED: "не отправлены",
}


@click.group("mail")
def mail_group() -> None:
    """Mail notices: check the SMTP server and the outbox."""


@mail_group.command("test")
@click.argument("address")
def mail_test(address: str) -> None:
    """Send one test mail to ADDRESS with the REGLAMENT_SMTP_* settings."""
    settings = MailSettings.from_env()
    if not settings.configured:
        raise click.ClickException("Почта не настроена: задайте REGLAMENT_SMTP_HOST.")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = TEST_SUBJECT, settings.sender, address
    message.set_content(TEST_TEXT)
    try:
        smtp.send(settings, message)
    except (smtp.TransientMailError, smtp.PermanentMailError) as error:
        raise click.ClickException(f"Письмо не отправлено: {error}") from error
    click.echo(f"Письмо отправлено на {address} через {settings.host}:{settings.port}.")


@mail_group.command("status")
def mail_status() -> None:
    """How many mails of the outbox are in each state."""
    engine = make_engine(Settings.from_env().database_url)
    try:
        with make_session_factory(engine)() as session:
            counts = dict(
                session.execute(
                    select(MailMessage.status, func.count()).group_by(MailMessage.status)
                ).all()
            )
    finally:
        engine.dispose()
    for status, words in STATUS_WORDS.items():
        click.echo(f"{words}: {counts.get(status, 0)}")
    if not MailSettings.from_env().configured:
        click.echo("Почта не настроена (REGLAMENT_SMTP_HOST): письма ждут.")
