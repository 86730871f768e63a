"""Concurrent intake: one thread's messages at the same instant make one case, twins one message."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.db import Base, make_engine, make_session_factory
from engine.intake import DuplicateMessage, Intake, correlation_key, receive_message
from engine.models import Message, ProcessInstance
from engine.runtime import Runtime
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.engine.helpers import deploy_example, send

pytestmark = pytest.mark.faults
ROUNDS = 30
Figure = Callable[[str, Any], None]


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each gives its result or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # the test looks at what each one raised
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "an intake hung"
    return results


def _cases_with_key(sessions: sessionmaker[Session], key: str) -> int:
    with sessions() as session:
        query = select(func.count()).select_from(ProcessInstance)
        return session.scalar(query.where(ProcessInstance.correlation_key == key)) or 0


def _key(thread_id: str, author_id: str = "id100", external_id: str = "") -> str:
    fields = {"municipality": "example", "source": "vk", "author_id": author_id}
    return correlation_key({**fields, "external_id": external_id, "thread_id": thread_id})


def test_two_messages_of_one_thread_at_the_same_instant_make_one_case(
    sessions: sessionmaker[Session], runtime: Runtime, report_figure: Figure
) -> None:
    deploy_example(sessions, runtime)
    repeats = 0
    for number in range(ROUNDS):
        thread = f"post-{number}"
        first, second = _at_once(
            partial(send, sessions, runtime, f"{number}-a", thread_id=thread),
            partial(send, sessions, runtime, f"{number}-b", thread_id=thread, text="Ну где?"),
        )
        assert isinstance(first, Intake) and isinstance(second, Intake), (first, second)
        assert sorted([first.repeat, second.repeat]) == [False, True], number
        assert first.message.instance_id == second.message.instance_id
        assert _cases_with_key(sessions, _key(thread)) == 1, f"round {number}: two cases"
        repeats += 1
    with sessions() as session:
        cases = session.scalar(select(func.count()).select_from(ProcessInstance))
    assert cases == ROUNDS
    report_figure("rounds", ROUNDS)
    report_figure("cases", cases)
    report_figure("repeats delivered", repeats)


@pytest.mark.parametrize("twin", ["identical", "other_author"])
def test_simultaneous_twins_give_one_message_and_a_duplicate_pointing_at_it(
    sessions: sessionmaker[Session], runtime: Runtime, report_figure: Figure, twin: str
) -> None:
    # An identical twin has the same correlation key; one from another author id does not,
    # so only the unique (source, external_id) stops it: the savepoint path.
    deploy_example(sessions, runtime)
    at_insert = 0
    for number in range(ROUNDS):
        other = {"author_id": "id200"} if twin == "other_author" else {}
        results = _at_once(
            partial(send, sessions, runtime, f"twin-{number}"),
            partial(send, sessions, runtime, f"twin-{number}", **other),
        )
        won = [item for item in results if isinstance(item, Intake)]
        lost = [item for item in results if not isinstance(item, Intake)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], DuplicateMessage), repr(lost[0])
        assert lost[0].instance_id == won[0].result.instance.id
        at_insert += isinstance(lost[0].__cause__, IntegrityError)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == ROUNDS
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == ROUNDS
    report_figure("rounds", ROUNDS)
    report_figure("duplicates refused at the insert (savepoint)", at_insert)


@pytest.fixture
def postgres(runtime: Runtime) -> Iterator[sessionmaker[Session]]:
    """PostgreSQL only: the loser is seen waiting on the winner's lock."""
    if not POSTGRES_URL:
        pytest.skip("REGLAMENT_TEST_POSTGRES_URL not set")
    engine = make_engine(POSTGRES_URL)
    reset_postgres(engine)
    Base.metadata.create_all(engine)
    factory: sessionmaker[Session] = make_session_factory(engine)
    deploy_example(factory, runtime)
    yield factory
    engine.dispose()


def _incoming(runtime: Runtime, external_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "municipality": "example",
        "source": "vk",
        "external_id": external_id,
        "author": "Иван Петров",
        "author_id": "id100",
        "text": "Не вывозят мусор",
        "received_at": runtime.clock.now().isoformat(),
        **fields,
    }


def _wait_until_blocked(sessions: sessionmaker[Session], locktype: str) -> None:
    query = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = :type")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sessions() as session:
            if session.scalar(query, {"type": locktype}):
                return
        time.sleep(0.02)
    raise AssertionError(f"the second intake never waited for a {locktype} lock")


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as error:  # looked at by the test
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.postgres
def test_a_repeat_waits_for_the_first_message_of_its_thread_to_commit(
    postgres: sessionmaker[Session], runtime: Runtime
) -> None:
    with postgres.begin() as first:
        started = receive_message(first, runtime, _incoming(runtime, "1", thread_id="t"), "vk")
        thread, outcome = _in_thread(
            lambda: send(postgres, runtime, "2", thread_id="t", text="Ну где ответ?")
        )
        _wait_until_blocked(postgres, "advisory")
    thread.join(timeout=30)
    repeat = outcome[0]
    assert isinstance(repeat, Intake), repr(repeat)
    assert repeat.repeat and repeat.message.instance_id == started.result.instance.id


@pytest.mark.postgres
def test_a_twin_blocked_on_the_unique_index_becomes_a_duplicate_not_an_integrity_error(
    postgres: sessionmaker[Session], runtime: Runtime
) -> None:
    with postgres.begin() as first:
        won = receive_message(first, runtime, _incoming(runtime, "42"), "vk")
        # Another author id: another correlation key, so no advisory lock is shared.
        thread, outcome = _in_thread(lambda: send(postgres, runtime, "42", author_id="id200"))
        _wait_until_blocked(postgres, "transactionid")
    thread.join(timeout=30)
    lost = outcome[0]
    # The waiting INSERT ... ON CONFLICT DO NOTHING inserted nothing once the first committed.
    assert isinstance(lost, DuplicateMessage), repr(lost)
    assert not isinstance(lost.__cause__, IntegrityError)
    assert lost.instance_id == won.result.instance.id
    with postgres() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1
