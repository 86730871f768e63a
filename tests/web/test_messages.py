"""The message registry, the case card with its diagram marks, and manual intake."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.runtime import Runtime
from engine.worker import run_worker
from tests.web.conftest import login, send_message
from tests.web.helpers import complete, routed_case

INTAKE = {
    "source": "ok",
    "url": "https://ok.ru/group/1/topic/42",
    "external_id": "",
    "channel": "feed",
    "author": "Мария Сидорова",
    "author_id": "ok-7",
    "text": "Нет света в подъезде",
    "received_at": "2026-03-16T09:40",
}


def test_registry_searches_and_filters(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    send_message(sessions, web_runtime, "1", text="Яма на дороге")
    clock.advance(timedelta(days=1))
    case = send_message(sessions, web_runtime, "2", text="Сломана скамейка", source="ok")
    complete(
        sessions,
        web_runtime,
        case,
        "screen",
        screen_decision="not_processed",
        not_processed_reason="insult",
    )
    client = login(app.test_client(), "curator")
    everything = client.get("/messages/").text
    assert everything.index("Сломана скамейка") < everything.index("Яма на дороге")
    assert "Сломана" not in client.get("/messages/?q=яма").text
    assert "Яма" not in client.get("/messages/?status=completed").text
    assert "Яма" not in client.get("/messages/?source=ok").text
    assert "Сломана" not in client.get("/messages/?from=2026-03-16&to=2026-03-16").text
    overdue = client.get("/messages/?overdue=1").text  # the first one's screening is late
    assert "Яма на дороге" in overdue and "Сломана" not in overdue


def _never():  # type: ignore[no-untyped-def]
    import threading

    return threading.Event()


def test_card_shows_path_violations_timeline_and_published_answer(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    clock.advance(timedelta(days=3))
    run_worker(sessions, web_runtime, interval_seconds=0, batch_size=10, stop=_never(), max_ticks=1)
    complete(
        sessions,
        web_runtime,
        case,
        "draft_answer",
        answer_kind="final",
        answer_text="Здравствуйте! Мусор вывезен.",
    )
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    complete(sessions, web_runtime, case, "publish", published_url="https://vk.com/wall-1_1?r=2")
    page = login(app.test_client(), "curator").get(f"/cases/{case}").text
    assert "завершено" in page and "Здравствуйте! Мусор вывезен." in page
    assert "https://vk.com/wall-1_1?r=2" in page and "Опубликованный ответ" in page
    assert "Нарушения сроков" in page and "Пример, п. 3" in page
    assert "Шаг выполнен" in page
    timeline = page.split("История дела")[1]
    assert "Отдел ЖКХ, Отдел дорог и благоустройства" in timeline  # names, not ids
    assert "— Канал ВКонтакте" in timeline and "— vk<" not in timeline  # the adapter, named
    completed = page.split("data-completed='")[1].split("'")[0]
    for element in (
        "message_received",
        "screen",
        "route",
        "draft_answer",
        "review",
        "publish",
        "published_end",
    ):
        assert f'"{element}"' in completed, element
    assert "draft_answer" in page.split("data-overdue='")[1].split("'")[0]
    xml = login(app.test_client(), "curator").get(f"/cases/{case}/diagram.bpmn")
    assert xml.mimetype == "application/xml" and b"bpmndi:BPMNDiagram" in xml.data


def test_manual_intake_registers_a_message_and_refuses_a_duplicate(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    client = login(app.test_client(), "curator")
    form = client.get("/messages/new").text
    assert '<label for="f-text">' in form
    created = client.post("/messages/new", data=INTAKE)
    assert created.status_code == 302
    card = client.get(created.location).text
    assert "Нет света в подъезде" in card and "Одноклассники" in card
    assert "16.03.2026 09:40" in card  # read in the municipality's zone
    again = client.post("/messages/new", data=INTAKE)
    assert again.status_code == 409 and "уже зарегистрировано" in again.text
    assert created.location in again.text  # points at the existing case


def test_manual_intake_errors_are_russian_and_keep_the_input(app: Flask) -> None:
    client = login(app.test_client(), "curator")
    bad = {**INTAKE, "text": "", "url": "не ссылка", "external_id": "x1", "received_at": "вчера"}
    response = client.post("/messages/new", data=bad)
    assert response.status_code == 422 and "Укажите дату и время." in response.text
    fixed = {**bad, "received_at": ""}
    response = client.post("/messages/new", data=fixed)
    assert response.status_code == 422
    assert "Обязательное поле." in response.text and "Укажите правильную ссылку" in response.text
    assert 'value="Мария Сидорова"' in response.text and 'value="не ссылка"' in response.text


def test_head_names_a_substitute_who_then_sees_the_absent_colleagues_task(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    head = login(app.test_client(), "head")
    page = head.get("/team/").text
    ids = {
        login: page.split(f">{name}")[0].rsplit('option value="', 1)[1].split('"')[0]
        for login, name in (("housing", "Борис ЖКХ"), ("roads", "Вера Дороги"))
    }
    refused = head.post("/team/substitutions", data={"absent": ids["housing"]})
    assert refused.status_code == 422 and "Обязательное поле." in refused.text
    named = head.post(
        "/team/substitutions",
        data={
            "absent": ids["housing"],
            "substitute": ids["roads"],
            "starts_on": "2026-03-16",
            "ends_on": "2026-03-20",
            "reason": "отпуск",
        },
    )
    assert named.status_code == 302 and "отпуск" in head.get("/team/").text
    roads = login(app.test_client(), "roads").get("/?scope=mine").text
    assert roads.count("data-task-id=") == 2 and case


def test_manual_intake_refusals_are_field_errors_never_a_500(app: Flask) -> None:
    client = login(app.test_client(), "curator")
    for change, field_error in (
        ({"received_at": "9999-12-31T23:59"}, "мин. в будущем"),
        ({"received_at": "2024-01-01T10:00"}, "366 дн. в прошлом"),
        ({"author": "я" * 300}, "Не длиннее 256 символов."),
        ({"url": "ftp://ok.ru/x"}, "Укажите правильную ссылку (http:// или https://)."),
        ({"source": "forged"}, "Источник «forged» не принимается"),
    ):
        response = client.post("/messages/new", data={**INTAKE, **change})
        assert response.status_code == 422, (change, response.status_code)
        assert field_error in response.text, change
    kept = client.post("/messages/new", data={**INTAKE, "source": "forged"}).text
    assert '<option value="forged" selected>' in kept  # what was sent stays chosen
    # A NUL anywhere in a request is refused before any view reads it (web/security.py).
    assert client.post("/messages/new", data={**INTAKE, "text": "Нет\x00света"}).status_code == 400


def test_manual_intake_offers_the_municipalitys_sources_and_says_when_none_is_deployed(
    app: Flask,
) -> None:
    perm = login(app.test_client(), "perm")
    form = perm.get("/messages/new").text
    assert 'value="monitoring"' in form and 'value="telegram"' not in form
    refused = perm.post("/messages/new", data={**INTAKE, "source": "vk"})
    assert refused.status_code == 422
    assert "нет действующей версии регламента" in refused.text


def test_a_link_longer_than_an_id_is_registered_by_its_digest(app: Flask) -> None:
    client = login(app.test_client(), "curator")
    long_link = "https://ok.ru/group/1/topic/" + "4" * 400
    created = client.post("/messages/new", data={**INTAKE, "url": long_link})
    assert created.status_code == 302
    again = client.post("/messages/new", data={**INTAKE, "url": long_link})
    assert again.status_code == 409  # the same link is the same post
