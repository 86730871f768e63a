"""Mail notices through a real SMTP server on 127.0.0.1: mentions, preferences, digest, once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.mail.job import MailJob
from adapters.mail.settings import MailSettings
from engine.cli import main
from engine.clock import VirtualClock
from engine.db import make_engine
from engine.inbox.mail import INTERRUPTED, STALE, claim_next
from engine.inbox.status import MailStatus
from engine.models import MailMessage, User
from engine.runtime import Runtime
from engine.schema import upgrade
from engine.worker import installed_jobs, run_worker
from tests.conftest import MSK
from tests.web.conftest import login, on_both_databases, send_message
from tests.web.smtp_server import SmtpServer, free_port, smtp_server  # noqa: F401

HTMX = {"HX-Request": "true"}


def _settings(server: SmtpServer | None, **overrides: object) -> MailSettings:
    base = MailSettings(
        host=server.host if server else "",
        port=server.port if server else 25,
        sender="reglament@example.ru",
        base_url="https://reglament.example.ru",
        timeout_seconds=5,
    )
    return MailSettings(**{**base.__dict__, **overrides})


def _run(job: MailJob, sessions: sessionmaker[Session], runtime: Runtime) -> float | None:
    return job(sessions, runtime, threading.Event())


def _give_addresses(sessions: sessionmaker[Session], *logins: str) -> None:
    """Only these get mail: the curator's own task mails would muddle what a test counts."""
    with sessions.begin() as session:
        for user in session.scalars(select(User).where(User.login.in_(logins or ("housing",)))):
            user.email = f"{user.login}@example.ru"


def _mention(app: Flask, case: int, who: str = "housing", text: str = "посмотрите") -> None:
    curator = login(app.test_client(), "curator")
    posted = curator.post(f"/cases/{case}/comments", data={"body": f"@{who} {text}"}, headers=HTMX)
    assert posted.status_code == 200, posted.text


def _mail_rows(sessions: sessionmaker[Session], login_name: str) -> list[MailMessage]:
    with sessions() as session:
        user_id = session.scalar(select(User.id).where(User.login == login_name))
        return list(session.scalars(select(MailMessage).where(MailMessage.user_id == user_id)))


def _only_mentions(app: Flask, who: str, digest: bool = False) -> None:
    client = login(app.test_client(), who)
    data = {"kind": ["mention"], "digest": "1" if digest else "0"}
    assert client.post("/inbox/preferences", data=data).status_code == 302


@on_both_databases
def test_a_mention_is_mailed_in_russian_once(
    app: Flask,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    _give_addresses(sessions)
    case = send_message(sessions, web_runtime)
    _only_mentions(app, "housing")
    _mention(app, case, text="уточните адрес дома 7")
    job = MailJob(_settings(smtp_server))
    _run(job, sessions, web_runtime)
    _run(job, sessions, web_runtime)  # nothing is sent twice
    received = smtp_server.inbox.received
    assert len(received) == 1
    mail = received[0]
    assert mail["To"] == "Борис ЖКХ <housing@example.ru>"
    assert mail["Subject"] == f"Регламент: Вас упомянули в комментарии — дело № {case}"
    text = smtp_server.inbox.text()
    assert "Здравствуйте, Борис ЖКХ!" in text
    assert f"Анна Куратор упоминает вас в комментарии к делу № {case}" in text
    assert "уточните адрес дома 7" in text
    assert f"https://reglament.example.ru/cases/{case}" in text
    assert f'href="https://reglament.example.ru/cases/{case}"' in smtp_server.inbox.html()
    assert [row.status for row in _mail_rows(sessions, "housing")] == [MailStatus.SENT]
    assert "письмо отправлено" in login(app.test_client(), "housing").get("/inbox/").text


def test_preferences_are_respected_and_no_address_means_no_mail(
    app: Flask,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    _give_addresses(sessions, "housing", "curator")
    case = send_message(sessions, web_runtime)
    housing = login(app.test_client(), "housing")
    assert housing.post("/inbox/preferences", data={"kind": ["breach"]}).status_code == 302
    page = housing.get("/inbox/preferences").text
    assert 'value="breach" checked' in page and 'value="mention" checked' not in page
    with sessions.begin() as session:
        session.execute(update(User).where(User.login == "roads").values(email=None))
    _mention(app, case, who="housing")
    _mention(app, case, who="roads")
    _run(MailJob(_settings(smtp_server)), sessions, web_runtime)
    # Only the curator's mail of the new task, by default every kind comes by mail.
    (task_mail,) = smtp_server.inbox.received
    assert task_mail["To"] == "Анна Куратор <curator@example.ru>"
    assert task_mail["Subject"] == f"Регламент: Новая задача — дело № {case}"
    assert _mail_rows(sessions, "housing") == [] and _mail_rows(sessions, "roads") == []
    assert "упоминает вас" in housing.get("/inbox/").text  # the page still tells them


@on_both_databases
def test_a_daily_digest_gathers_the_days_notices_into_one_mail(
    app: Flask,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    clock: VirtualClock,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    _give_addresses(sessions)
    case = send_message(sessions, web_runtime)
    _only_mentions(app, "housing", digest=True)
    _mention(app, case, text="первое")
    _mention(app, case, text="второе")
    job = MailJob(_settings(smtp_server, digest_hour=8))
    wait = _run(job, sessions, web_runtime)
    assert smtp_server.inbox.received == []
    page = login(app.test_client(), "housing").get("/inbox/").text
    assert "письмо ждёт отправки (в ежедневной сводке)" in page
    # Monday 10:00 Moscow: the digest goes at 08:00 on Tuesday, 22 hours on.
    assert wait == pytest.approx(22 * 3600)
    clock.set(datetime(2026, 3, 17, 8, 0, tzinfo=MSK))
    _run(job, sessions, web_runtime)
    _run(job, sessions, web_runtime)
    assert len(smtp_server.inbox.received) == 1
    mail = smtp_server.inbox.received[0]
    assert mail["Subject"] == "Регламент: сводка уведомлений за день (2)"
    text = smtp_server.inbox.text()
    assert "первое" in text and "второе" in text and "Уведомления Регламента за день (2)" in text


def test_smtp_errors_are_retried_with_backoff_and_a_refusal_is_final(
    app: Flask,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    clock: VirtualClock,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    _give_addresses(sessions, "housing", "roads")
    case = send_message(sessions, web_runtime)
    _only_mentions(app, "housing")
    _only_mentions(app, "roads")
    _mention(app, case, who="housing")
    smtp_server.inbox.refusals.append("451 4.3.0 попробуйте позже")
    job = MailJob(_settings(smtp_server, backoff_base_seconds=60))
    assert _run(job, sessions, web_runtime) == pytest.approx(60)
    (row,) = _mail_rows(sessions, "housing")
    assert row.status is MailStatus.RETRYING and "451" in (row.last_error or "")
    clock.advance(timedelta(seconds=30))
    _run(job, sessions, web_runtime)
    assert smtp_server.inbox.received == []  # not before its moment
    clock.advance(timedelta(seconds=31))
    _run(job, sessions, web_runtime)
    assert len(smtp_server.inbox.received) == 1
    assert _mail_rows(sessions, "housing")[0].status is MailStatus.SENT
    smtp_server.inbox.refusals.append("550 5.1.1 нет такого ящика")
    _mention(app, case, who="roads")
    _run(job, sessions, web_runtime)
    (refused,) = _mail_rows(sessions, "roads")
    assert refused.status is MailStatus.FAILED and "550" in (refused.last_error or "")


def test_an_unreachable_server_is_retried_and_no_server_sends_nothing(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    _give_addresses(sessions)
    case = send_message(sessions, web_runtime)
    _only_mentions(app, "housing")
    _mention(app, case)
    assert _run(MailJob(_settings(None)), sessions, web_runtime) is None
    assert [row.status for row in _mail_rows(sessions, "housing")] == [MailStatus.PENDING]
    closed = MailSettings(host="127.0.0.1", port=free_port(), timeout_seconds=2)
    _run(MailJob(closed), sessions, web_runtime)
    (row,) = _mail_rows(sessions, "housing")
    assert row.status is MailStatus.RETRYING and row.attempts == 1
    clock.advance(timedelta(hours=73))  # the server stayed away for three days
    _run(MailJob(closed), sessions, web_runtime)
    (row,) = _mail_rows(sessions, "housing")
    assert row.status is MailStatus.FAILED and row.last_error == STALE and row.attempts == 1


@on_both_databases
def test_a_worker_killed_mid_send_never_sends_twice(
    app: Flask,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    clock: VirtualClock,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    _give_addresses(sessions)
    case = send_message(sessions, web_runtime)
    _only_mentions(app, "housing")
    _mention(app, case)
    with sessions.begin() as session:  # a worker claims the mail, then dies before settling
        assert claim_next(session, clock.now(), timedelta(seconds=120)) is not None
    job = MailJob(_settings(smtp_server, lease_seconds=120))
    _run(job, sessions, web_runtime)
    assert smtp_server.inbox.received == []  # still held by the dead worker's lease
    clock.advance(timedelta(seconds=121))
    _run(job, sessions, web_runtime)
    (row,) = _mail_rows(sessions, "housing")
    assert row.status is MailStatus.FAILED and row.last_error == INTERRUPTED
    assert smtp_server.inbox.received == []  # at most once: not resent
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(
            MailMessage(
                notice_id=row.notice_id,
                user_id=row.user_id,
                recipient=row.recipient,
                digest=False,
                status=MailStatus.PENDING,
                attempts=0,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )


def test_reglament_worker_runs_the_mail_job(
    app: Flask,
    sessions: sessionmaker[Session],
    web_runtime: Runtime,
    smtp_server: SmtpServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGLAMENT_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("REGLAMENT_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("REGLAMENT_MAIL_FROM", "reglament@example.ru")
    jobs = [job for job in installed_jobs() if isinstance(job, MailJob)]
    assert len(jobs) == 1  # the entry point pyproject.toml registers
    _give_addresses(sessions)
    case = send_message(sessions, web_runtime)
    _only_mentions(app, "housing")
    _mention(app, case)
    run_worker(
        sessions,
        web_runtime,
        interval_seconds=0,
        batch_size=10,
        stop=threading.Event(),
        max_ticks=1,
        jobs=jobs,
    )
    (mail,) = smtp_server.inbox.received
    assert mail["From"] == "reglament@example.ru" and "housing@example.ru" in mail["To"]


def test_reglament_mail_test_and_status(
    smtp_server: SmtpServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", url)
    runner = CliRunner()
    monkeypatch.delenv("REGLAMENT_SMTP_HOST", raising=False)
    unset = runner.invoke(main, ["mail", "test", "admin@example.ru"])
    assert unset.exit_code == 1 and "Почта не настроена" in unset.output
    monkeypatch.setenv("REGLAMENT_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("REGLAMENT_SMTP_PORT", str(smtp_server.port))
    sent = runner.invoke(main, ["mail", "test", "admin@example.ru"])
    assert sent.exit_code == 0, sent.output
    assert "Письмо отправлено на admin@example.ru" in sent.output
    (mail,) = smtp_server.inbox.received
    assert (
        mail["Subject"] == "Регламент: проверка почты" and "почта настроена" in mail.get_content()
    )
    smtp_server.inbox.refusals.append("550 5.1.1 нет такого ящика")
    refused = runner.invoke(main, ["mail", "test", "nobody@example.ru"])
    assert refused.exit_code == 1 and "Письмо не отправлено: SMTP 550" in refused.output
    status = runner.invoke(main, ["mail", "status"])
    assert status.exit_code == 0 and "отправлены: 0" in status.output
