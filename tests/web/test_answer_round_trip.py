"""The answer's round trip on the task pages: drafts shown where they are checked, a redo starts
from its own draft with the reasons of the return, and each completion leads to what comes next."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import deactivate_user, find_user
from engine.instances import complete_task
from engine.models import OpenUserTask
from engine.runtime import Runtime
from tests.web.conftest import login, send_message
from tests.web.helpers import complete, routed_case, tasks_of

HOUSING_DRAFT = "Здравствуйте! Подрядчик починит крышу до пятницы."
ROADS_DRAFT = "Здравствуйте! Яму на улице Ленина заделают завтра."


def drafted_case(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    """A case routed to housing and roads, each of which has drafted its answer."""
    case = routed_case(sessions, runtime, send_message(sessions, runtime, text="Крыша и яма"))
    drafts = zip(
        tasks_of(sessions, case, "draft_answer"), (HOUSING_DRAFT, ROADS_DRAFT), strict=True
    )
    for task, text in drafts:
        data = {"answer_kind": "final", "answer_text": text}
        with sessions.begin() as session:
            complete_task(session, runtime, task.task_id, data, str(task.department))
    return case


def draft_task_of(sessions: sessionmaker[Session], case: int, department: str) -> OpenUserTask:
    """The drafting task of one department."""
    tasks = tasks_of(sessions, case, "draft_answer")
    return next(task for task in tasks if task.department == department)


def test_the_review_step_shows_every_department_s_draft_above_the_decision(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = drafted_case(sessions, web_runtime)
    (review,) = tasks_of(sessions, case, "review")
    page = login(app.test_client(), "curator").get(f"/tasks/{review.task_id}").text
    drafts = page.index("Проекты ответа")
    assert drafts < page.index(HOUSING_DRAFT) < page.index('name="review_decision"')
    assert ROADS_DRAFT in page and "Борис ЖКХ" in page and "Вера Дороги" in page
    assert f"символов: {len(HOUSING_DRAFT)}" in page and "Копировать" in page
    assert "из 4096, которые принимает канал" in page  # the message came from VK


def test_a_return_for_rework_prefills_the_draft_and_says_why(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = drafted_case(sessions, web_runtime)
    complete(
        sessions,
        web_runtime,
        case,
        "review",
        review_decision="rework",
        rework_reasons=["formal", "no_greeting"],
        comment="Укажите дату",
    )
    redo = next(
        task for task in tasks_of(sessions, case, "draft_answer") if task.department == "housing"
    )
    page = login(app.test_client(), "housing").get(f"/tasks/{redo.task_id}").text
    assert "Возвращено на доработку" in page
    assert "Формальный ответ; Нет приветствия" in page and "Укажите дату" in page
    assert f">{HOUSING_DRAFT}</textarea>" in page  # the redo starts from its own last draft
    assert f">{ROADS_DRAFT}</textarea>" not in page  # not another department's draft


def test_a_first_draft_starts_empty_without_a_return_note(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime, text="Крыша"))
    task = next(
        task for task in tasks_of(sessions, case, "draft_answer") if task.department == "housing"
    )
    page = login(app.test_client(), "housing").get(f"/tasks/{task.task_id}").text
    assert "Возвращено на доработку" not in page and 'data-limit="4096"' in page


def test_completing_a_step_opens_the_next_step_the_user_can_do(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime, text="Крыша")
    (screen,) = tasks_of(sessions, case, "screen")
    client = login(app.test_client(), "curator")
    response = client.post(f"/tasks/{screen.task_id}", data={"screen_decision": "process"})
    (route,) = tasks_of(sessions, case, "route")
    assert response.status_code == 302 and response.location == f"/tasks/{route.task_id}"
    assert (
        "Следующий шаг этого дела: «Направить исполнителям»" in client.get(response.location).text
    )


def test_completing_a_step_someone_else_continues_says_who(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = complete_screening(sessions, web_runtime)
    (route,) = tasks_of(sessions, case, "route")
    client = login(app.test_client(), "curator")
    response = client.post(f"/tasks/{route.task_id}", data={"departments": ["housing"]})
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").text
    assert "Дальше: «Подготовить ответ» —" in page and "Отдел ЖКХ" in page


def complete_screening(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    case = send_message(sessions, runtime, text="Крыша")
    complete(sessions, runtime, case, "screen", screen_decision="process")
    return case


def returned_case(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    """A drafted case the curator has returned for rework."""
    case = drafted_case(sessions, runtime)
    complete(sessions, runtime, case, "review", review_decision="rework", rework_reasons=["formal"])
    return case


def test_a_redo_goes_back_to_the_person_who_wrote_the_draft(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = returned_case(sessions, web_runtime)
    assert draft_task_of(sessions, case, "housing").assignee == "housing"
    assert draft_task_of(sessions, case, "roads").assignee == "roads"
    card = login(app.test_client(), "head").get(f"/cases/{case}").text
    assert "Система" in card and ">system<" not in card  # the engine's own actor, in words


def test_a_redo_of_an_author_no_longer_active_stays_in_the_department_s_pool(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = drafted_case(sessions, web_runtime)
    with sessions.begin() as session:
        user = find_user(session, "housing")
        assert user is not None
        deactivate_user(session, user)
    complete(
        sessions, web_runtime, case, "review", review_decision="rework", rework_reasons=["formal"]
    )
    assert draft_task_of(sessions, case, "housing").assignee is None
    assert draft_task_of(sessions, case, "roads").assignee == "roads"


def test_the_publication_starts_from_the_drafts_and_an_edit_is_kept_beside_them(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = drafted_case(sessions, web_runtime)
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    (publish,) = tasks_of(sessions, case, "publish")
    client = login(app.test_client(), "curator")
    page = client.get(f"/tasks/{publish.task_id}").text
    assert f"{HOUSING_DRAFT}\n\n{ROADS_DRAFT}</textarea>" in page  # both departments, in turn
    edited = "Здравствуйте! Крышу починят до пятницы, яму заделают завтра."
    data = {"publish_via": "manual", "published_url": "https://vk.com/wall-1_1?reply=2"}
    response = client.post(f"/tasks/{publish.task_id}", data={**data, "published_text": edited})
    assert response.status_code == 302
    card = login(app.test_client(), "head").get(f"/cases/{case}").text
    assert "Опубликованный текст (исправлен при публикации)" in card and edited in card
    assert HOUSING_DRAFT in card and ROADS_DRAFT in card  # the originals are kept


def test_a_publication_left_as_drafted_is_not_marked_edited(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = drafted_case(sessions, web_runtime)
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    complete(
        sessions,
        web_runtime,
        case,
        "publish",
        published_url="https://vk.com/wall-1_1?reply=3",
        published_text=f"{HOUSING_DRAFT}\n\n{ROADS_DRAFT}",
    )
    card = login(app.test_client(), "head").get(f"/cases/{case}").text
    assert "исправлен при публикации" not in card
