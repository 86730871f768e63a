"""The inbox's cost: a message through the example with and without the flush fan-out."""

from __future__ import annotations

import statistics
import tempfile
from functools import partial
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.bench_engine import run_persisted_case
from benchmarks.common import (
    databases,
    deploy_example,
    make_runtime,
    ms,
    new_sessions,
    show,
    timed,
)
from engine import audit
from engine.accounts import create_user
from engine.inbox import capture
from engine.inbox.reading import unread_count
from engine.models import MailMessage, User, UserNotice
from engine.passwords import hash_password

CASES = 30
STAFF = [("curator", None)] * 3 + [("executor", "housing")] * 6 + [("executor", "roads")] * 6
STAFF += [("head", None), ("approver", None)]


def _staff(sessions: sessionmaker[Session]) -> None:
    digest = hash_password("bench-password-1")
    with sessions.begin() as session:
        for number, (role, department) in enumerate(STAFF):
            create_user(
                session,
                login=f"bench{number}",
                password="bench-password-1",
                password_hash=digest,
                full_name=f"Сотрудник {number}",
                roles=[role],
                municipality="example",
                department=department,
                email=f"bench{number}@example.ru",
            )


def _listener(on: bool) -> None:
    listening = event.contains(Session, "after_flush", capture._after_flush)
    if on and not listening:
        event.listen(Session, "after_flush", capture._after_flush)
        audit.LISTENERS.append(capture._audit_written)
    elif not on and listening:
        event.remove(Session, "after_flush", capture._after_flush)
        audit.LISTENERS.remove(capture._audit_written)


def main() -> None:
    """Per database: median ms per case with the fan-out on and off, rows written per case."""
    print(f"== The inbox fan-out: {CASES} cases each way, {len(STAFF)} staff with addresses")
    with tempfile.TemporaryDirectory() as folder:
        for name, engine in databases(Path(folder)):
            if engine is None:
                print(f"  {name}: unreachable, skipped")
                continue
            sessions = new_sessions(engine)
            clock, runtime = make_runtime()
            deploy_example(sessions, runtime)
            _staff(sessions)
            times: dict[bool, list[float]] = {True: [], False: []}
            for number in range(2 * CASES):  # alternate, so drift hits both alike
                on = number % 2 == 0
                _listener(on)
                case = partial(run_persisted_case, sessions, runtime, clock, number + 1)
                times[on].append(timed(case))
            _listener(True)
            _report(name, sessions, times)


def _report(name: str, sessions: sessionmaker[Session], times: dict[bool, list[float]]) -> None:
    with_inbox, without = statistics.median(times[True]), statistics.median(times[False])
    with sessions() as session:
        notices = session.scalar(select(func.count()).select_from(UserNotice)) or 0
        mails = session.scalar(select(func.count()).select_from(MailMessage)) or 0
        busiest = session.scalar(
            select(UserNotice.user_id)
            .group_by(UserNotice.user_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        user = session.get(User, busiest) if busiest else None
        count_time = timed(lambda: unread_count(session, user.id)) if user else 0.0
    show(f"{name}: a case without the fan-out", ms(without))
    show(f"{name}: a case with it", ms(with_inbox), f"{with_inbox / without:.2f}×")
    show(f"{name}: notices, mails per case", f"{notices / CASES:.1f}, {mails / CASES:.1f}")
    show(f"{name}: the header's unread count", ms(count_time))


if __name__ == "__main__":
    main()
