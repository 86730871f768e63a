"""The task list's whole page asks the database a fixed, small number of statements."""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.statements import statements
from tests.web.conftest import login, on_both_databases, send_message
from web.db import extension_state

# The signed-in user with whom they stand in for, the page with its count, saved filters,
# the filters' choices, both notice counters, failed publications (issue 16; it was 10).
PAGE_BUDGET = 6
# The polled rows: the signed-in user with whom they stand in for, the page with its count.
ROWS_BUDGET = 2


def app_statements(app: Flask) -> AbstractContextManager[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    return statements(extension_state(app)["engine"])


@on_both_databases
def test_the_whole_page_keeps_its_statement_budget(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    for number in range(3):
        send_message(sessions, web_runtime, str(number))
    client = login(app.test_client(), "curator")
    assert client.get("/?scope=all").status_code == 200  # the first request warms caches
    with app_statements(app) as seen:
        response = client.get("/?scope=all")
    assert response.status_code == 200
    assert "Задач: 3" in response.text
    assert len(seen) <= PAGE_BUDGET, "\n\n".join(seen)


@on_both_databases
def test_a_page_past_the_last_shows_the_last(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    send_message(sessions, web_runtime, "1")
    client = login(app.test_client(), "curator")
    response = client.get("/?scope=all&page=7")
    assert response.status_code == 200
    assert "Не вывозят мусор во дворе дома 7" in response.text


@on_both_databases
def test_the_polled_rows_ask_only_for_the_user_and_the_page(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    send_message(sessions, web_runtime, "1")
    client = login(app.test_client(), "curator")
    assert client.get("/tasks/rows?scope=all").status_code == 200
    with app_statements(app) as seen:
        response = client.get("/tasks/rows?scope=all")
    assert response.status_code == 200 and "Задач: 1" in response.text
    assert len(seen) <= ROWS_BUDGET, "\n\n".join(seen)
