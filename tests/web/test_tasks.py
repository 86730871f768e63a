"""The task list and the task page: filters, claiming, forms, errors, stale submits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask, url_for
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.runtime import Runtime
from tests.web.conftest import login, send_message
from tests.web.helpers import complete, routed_case, tasks_of
from web.forms.labels import SOURCE_LABELS, source_label, source_names
from web.tasks import task_url


def test_the_list_is_sorted_by_due_date_with_remaining_time_and_a_light(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    early = send_message(sessions, web_runtime, "1", text="Первое сообщение")
    clock.advance(timedelta(minutes=30))
    late = send_message(sessions, web_runtime, "2", text="Второе сообщение")
    page = login(app.test_client(), "curator").get("/").text
    assert page.index("Первое сообщение") < page.index("Второе сообщение")
    assert "16.03.2026 11:00" in page  # 1 working hour from 10:00 Moscow time
    assert "осталось 30 мин" in page
    assert "light-plenty" in page and "Задач: 2" in page
    clock.advance(timedelta(hours=2))
    overdue = login(app.test_client(), "curator").get("/?overdue=1").text
    assert "просрочено на" in overdue and "light-overdue" in overdue
    assert early and late


def test_filters_by_step_department_and_source(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    routed_case(sessions, web_runtime, send_message(sessions, web_runtime, "1", text="Дороги"))
    send_message(sessions, web_runtime, "2", source="ok", text="Однокл")
    client = login(app.test_client(), "head")
    assert "Задач: 3" in client.get("/?scope=all").text
    assert "Задач: 1" in client.get("/?scope=all&department=roads").text
    assert "Задач: 2" in client.get("/?scope=all&step=draft_answer").text
    only_ok = client.get("/?scope=all&source=ok").text
    assert "Однокл" in only_ok and "Задач: 1" in only_ok


def test_rows_refresh_by_polling_and_show_a_new_task(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    client = login(app.test_client(), "curator")
    page = client.get("/").text
    assert 'hx-trigger="every 15s"' in page and "/tasks/rows" in page
    assert "Задач нет" in client.get("/tasks/rows").text
    send_message(sessions, web_runtime, text="Новое сообщение")
    rows = client.get("/tasks/rows?scope=mine").text
    assert "Новое сообщение" in rows and "<html" not in rows


def test_claim_and_release(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    housing_task, _ = tasks_of(sessions, case, "draft_answer")
    client = login(app.test_client(), "housing")
    claimed = client.post(f"/tasks/{housing_task.task_id}/claim", data={"next": "/"})
    assert claimed.status_code == 302
    assert tasks_of(sessions, case, "draft_answer")[0].assignee == "housing"
    assert "Вернуть в общий список" in client.get("/").text
    client.post(f"/tasks/{housing_task.task_id}/release", data={"next": "/"})
    assert tasks_of(sessions, case, "draft_answer")[0].assignee is None


def test_a_refused_form_shows_russian_errors_beside_fields_and_keeps_the_input(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    housing_task, _ = tasks_of(sessions, case, "draft_answer")
    client = login(app.test_client(), "housing")
    response = client.post(
        f"/tasks/{housing_task.task_id}",
        data={"answer_text": "Коротко", "measures_taken": "Вывезли мусор"},
    )
    assert response.status_code == 422
    assert 'id="answer_kind-errors"' in response.text and "Обязательное поле." in response.text
    assert "Не короче 10 символов." in response.text
    assert "Коротко</textarea>" in response.text and "Вывезли мусор</textarea>" in response.text
    assert tasks_of(sessions, case, "draft_answer")[0].task_id == housing_task.task_id


def test_a_stale_double_submit_says_who_completed_the_task(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    (screen,) = tasks_of(sessions, case, "screen")
    first, second = login(app.test_client(), "curator"), login(app.test_client(), "head")
    done = first.post(f"/tasks/{screen.task_id}", data={"screen_decision": "process"})
    assert done.status_code == 302
    again = first.post(f"/tasks/{screen.task_id}", data={"screen_decision": "process"})
    assert again.status_code == 409
    assert "уже выполнил(а) Анна Куратор 16.03.2026 10:00" in again.text
    assert second.get(f"/tasks/{screen.task_id}").status_code == 409
    assert len(tasks_of(sessions, case, "route")) == 1  # advanced once


def test_the_task_page_shows_the_card_requirements_with_clauses_and_history(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    earlier = send_message(sessions, web_runtime, "0", text="Прошлогодняя жалоба")
    complete(
        sessions,
        web_runtime,
        earlier,
        "screen",
        screen_decision="not_processed",
        not_processed_reason="insult",
    )
    case = send_message(sessions, web_runtime, "1", payload={"attachments": ["https://x.ru/a.jpg"]})
    (screen,) = tasks_of(sessions, case, "screen")
    page = login(app.test_client(), "curator").get(f"/tasks/{screen.task_id}").text
    for expected in (
        "Не вывозят мусор во дворе дома 7",
        "Иван Петров",
        "https://vk.com/wall-1_1",
        "https://x.ru/a.jpg",
        "ВКонтакте",
        "Лента",
        "Прошлогодняя жалоба",  # the author's earlier message
        "Что требует регламент",
        "Пример, п. 2",
        "Срок: «1 рабочий час»",  # from the deadline table, with how it is counted
        "В рабочем времени, с поступления сообщения.",
        "Общий срок: «2 рабочих дня»",  # the answer's span holds at every step
        "История дела",
        "Сообщение получено, дело открыто",
        'name="screen_decision"',
        "Не рассматривается",
    ):
        assert expected in page, expected


def test_a_refresh_keeps_the_rows_on_screen_and_counts_the_new_ones(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    client = login(app.test_client(), "curator")
    send_message(sessions, web_runtime, external_id="a", text="Первое сообщение")
    shown = client.get("/tasks/rows").text
    task_id = shown.split('data-task-id="')[1].split('"')[0]
    send_message(sessions, web_runtime, external_id="b", text="Второе сообщение")
    kept = client.get(f"/tasks/rows?shown={task_id}").text
    assert "Первое сообщение" in kept and "Второе сообщение" not in kept
    assert "Новых задач: 1" in kept and "shown=" not in kept  # the links drop the refresh's list
    everything = client.get("/tasks/rows?shown=").text  # an empty screen takes every row
    assert "Второе сообщение" in everything and "Новых задач" not in everything


def test_every_step_shows_the_cases_overall_deadline_in_days(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    draft = tasks_of(sessions, case, "draft_answer")[0]
    page = login(app.test_client(), "curator").get(f"/tasks/{draft.task_id}").text
    term = page.split('class="due case-term')[1].split("</p>")[0]
    assert "Общий срок дела: 2 рабочих дня" in term and "Пример, п. 6" in term
    assert "Срок: 18.03.2026 18:00 · в срок · осталось 2 рабочих дня (до 18.03 18:00)" in term


def test_search_finds_by_text_author_and_case_number_in_any_case(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    first = send_message(sessions, web_runtime, "a", text="Мусор не вывозят неделю")
    send_message(sessions, web_runtime, "b", text="Яма на дороге", author="Пётр Сидоров")
    client = login(app.test_client(), "curator")
    by_text = client.get("/?q=мусор").text
    assert "Мусор не вывозят" in by_text and "Яма на дороге" not in by_text
    by_author = client.get("/?q=сидоров").text
    assert "Яма на дороге" in by_author and "Мусор не вывозят" not in by_author
    by_number = client.get(f"/?q=№ {first}").text
    assert "Мусор не вывозят" in by_number and "Задач: 1" in by_number
    assert "Задач нет" in client.get("/?q=100%25_").text  # LIKE's wildcards are plain text
    assert "Задач: 1" in client.get("/tasks/rows?q=мусор").text  # the refresh keeps the search


def test_saved_filters_are_per_user_and_a_bad_name_is_refused_with_a_message(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    send_message(sessions, web_runtime, "a", text="Мусор не вывозят неделю")
    curator = login(app.test_client(), "curator")
    saved = curator.post(
        "/tasks/filters",
        data={"name": "  Мусор  ", "scope": "all", "q": "мусор", "overdue": "", "shown": "x"},
    )
    assert (
        saved.status_code == 303
        and saved.location == "/?scope=all&q=%D0%BC%D1%83%D1%81%D0%BE%D1%80"
    )
    page = curator.get("/").text
    assert ">Мусор</a>" in page and "/?scope=all&amp;q=" in page
    refused = curator.post("/tasks/filters", data={"name": " ", "scope": "all"})
    assert refused.status_code == 422 and "Укажите название фильтра." in refused.text
    refused = curator.post("/tasks/filters", data={"name": "x" * 81})
    assert refused.status_code == 422 and "не длиннее 80 символов" in refused.text
    head = login(app.test_client(), "head")
    assert ">Мусор</a>" not in head.get("/").text  # each user has their own
    filter_id = page.split("/tasks/filters/")[1].split("/")[0]
    assert head.post(f"/tasks/filters/{filter_id}/delete").status_code == 404
    assert curator.post(f"/tasks/filters/{filter_id}/delete").status_code == 303
    assert ">Мусор</a>" not in curator.get("/").text


@pytest.mark.parametrize("task_id", ["0f9d6c2e-1b7a-4c39-9d7e-3a5b8c1d2e4f", "odd id/ё?", "_a-B"])
def test_task_addresses_are_url_fors(app: Flask, task_id: str) -> None:
    # The list fills one built address per endpoint (speed); each is url_for's own.
    with app.test_request_context("/"):
        for endpoint in ("tasks.show", "tasks.claim", "tasks.release"):
            assert task_url(endpoint, task_id) == url_for(endpoint, task_id=task_id)
            assert task_url(endpoint, task_id) == url_for(endpoint, task_id=task_id)  # cached


def test_the_rows_source_names_are_source_labels(app: Flask) -> None:
    # The rows look sources up in one translated table (speed): the same words as source_label.
    with app.test_request_context("/"):
        names = source_names()
        assert names == {value: source_label(value) for value in SOURCE_LABELS}
        assert names["vk"] == "ВКонтакте"
