"""Which errors the worker retries (faults of the moment) and which park a case (regulation's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.db import make_engine
from engine.faults import Backoff, RetryPolicy, is_transient
from engine.models import ProcessInstance
from engine.runtime import Runtime
from tests.engine.helpers import deploy_example, send


def _raised(connection: Connection, statement: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as caught:
        connection.execute(text(statement))
    return caught.value


@pytest.fixture
def pg(db_engine: Engine) -> Iterator[Engine]:
    """The PostgreSQL test database with a scratch table (skipped on SQLite)."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's own faults")
    with db_engine.begin() as connection:
        connection.execute(text("CREATE TABLE scratch (id integer PRIMARY KEY, n integer)"))
        connection.execute(text("INSERT INTO scratch VALUES (1, 0)"))
    yield db_engine


def test_a_locked_sqlite_database_is_transient(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.sqlite3'}"
    holder, impatient = make_engine(url), make_engine(url)
    event.listen(impatient, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=10"))
    with holder.connect() as connection:
        connection.execute(text("CREATE TABLE scratch (n integer)"))
        connection.commit()
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # another process is writing
        with impatient.connect() as other:
            error = _raised(other, "INSERT INTO scratch VALUES (1)")
    assert "database is locked" in str(error) and is_transient(error)
    holder.dispose()
    impatient.dispose()


@pytest.mark.postgres
def test_postgres_lock_and_statement_timeouts_and_serialization_failures_are_transient(
    pg: Engine,
) -> None:
    with pg.connect() as holder, pg.connect() as worker:
        holder.execute(text("SELECT * FROM scratch FOR UPDATE"))  # a request holds the row
        worker.execute(text("SET lock_timeout = '50ms'"))
        lock_timeout = _raised(worker, "UPDATE scratch SET n = 1")
        worker.rollback()
        worker.execute(text("SET statement_timeout = '50ms'"))
        canceled = _raised(worker, "SELECT pg_sleep(5)")
        worker.rollback()
        holder.rollback()
    with pg.connect() as first, pg.connect() as second:
        for connection in (first, second):
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
            connection.execute(text("SELECT n FROM scratch")).all()
        first.execute(text("UPDATE scratch SET n = n + 1"))
        first.commit()
        serialization = _raised(second, "UPDATE scratch SET n = n + 1")
        second.rollback()
    codes = [getattr(error.orig, "sqlstate", None) for error in (lock_timeout, canceled)]
    assert codes == ["55P03", "57014"]
    assert getattr(serialization.orig, "sqlstate", None) == "40001"
    assert all(is_transient(error) for error in (lock_timeout, canceled, serialization))


@pytest.mark.postgres
def test_a_terminated_postgres_connection_is_transient(pg: Engine) -> None:
    with pg.connect() as worker, pg.connect() as admin:
        pid = worker.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        dropped = _raised(worker, "SELECT 1")
    assert isinstance(dropped, OperationalError) and dropped.connection_invalidated
    assert is_transient(dropped)


def test_a_case_changed_by_someone_else_meanwhile_is_transient(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    with sessions() as first:
        instance = first.get_one(ProcessInstance, case)
        first.commit()  # read; its revision is kept (sessions never expire on commit)
        with sessions.begin() as second:
            second.get_one(ProcessInstance, case).correlation_key = "changed by the second"
        instance.correlation_key = "changed by the first"
        with pytest.raises(StaleDataError) as caught:
            first.flush()
    assert is_transient(caught.value)


def test_errors_of_the_regulation_and_of_the_data_are_not_transient(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data.sqlite3'}")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE scratch (id integer PRIMARY KEY)"))
        connection.execute(text("INSERT INTO scratch VALUES (1)"))
        duplicate = _raised(connection, "INSERT INTO scratch VALUES (1)")
    engine.dispose()

    class RunawayScript(Exception):  # an error class the engine has never heard of
        pass

    assert isinstance(duplicate, IntegrityError)
    for error in (
        duplicate,
        ZeroDivisionError("division by zero"),
        WorkflowException("the script of task check failed"),
        RunawayScript("the step ran too long"),
    ):
        assert not is_transient(error), error


def test_an_error_raised_from_a_fault_of_the_moment_is_transient(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    with engine.connect() as connection:
        missing = _raised(connection, "SELECT * FROM no_such_table")
    engine.dispose()
    try:
        raise RuntimeError("the step could not be saved") from missing
    except RuntimeError as wrapped:
        assert is_transient(wrapped)
    try:
        try:
            raise missing
        except OperationalError:
            raise ValueError("a bug while handling it") from None
    except ValueError as unrelated:
        assert not is_transient(unrelated)  # only explicit causes count


def test_backoff_doubles_per_case_up_to_the_cap_and_forgets_a_success() -> None:
    moments = [100.0]
    backoff = Backoff(RetryPolicy(base_seconds=1, cap_seconds=4), monotonic=lambda: moments[0])
    assert [backoff.failed(7) for _ in range(4)] == [1, 2, 4, 4]
    assert backoff.failed(8) == 1 and backoff.waiting() == {7, 8}
    assert backoff.seconds_to_next_retry() == 1
    moments[0] += 1
    assert backoff.waiting() == {7} and backoff.seconds_to_next_retry() == 3
    backoff.succeeded(7)
    assert backoff.waiting() == set() and backoff.attempts(7) == 0 and backoff.attempts(8) == 1
    moments[0] += 10  # long past its retry: another worker must have advanced it
    assert backoff.waiting() == set() and backoff.attempts(8) == 0
