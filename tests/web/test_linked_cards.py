"""Linked cases on the card: the later case names the earlier one and the earlier the later."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.web.conftest import login, send_message
from tests.web.helpers import complete, routed_case, tasks_of

TICKED = re.compile(r'name="departments" value="(\w+)"\s+checked')


def test_both_cards_show_the_link_and_the_duty_to_report_the_measures(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    earlier = routed_case(
        sessions, web_runtime, send_message(sessions, web_runtime, thread_id="t-5")
    )
    answer = {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен."}
    complete(sessions, web_runtime, earlier, "draft_answer", **answer)
    complete(sessions, web_runtime, earlier, "review", review_decision="approve")
    complete(sessions, web_runtime, earlier, "publish", published_url="https://vk.com/wall-1_1?r=2")
    later = send_message(sessions, web_runtime, "2", thread_id="t-5", text="Опять не вывезли")
    assert later != earlier
    client = login(app.test_client(), "curator")
    page = client.get(f"/cases/{later}").text
    linked = page.split("Связанные дела")[1].split("</ul>")[0]
    assert "Повторное обращение по закрытому делу" in linked
    assert f'href="/cases/{earlier}"' in linked and "в ответе сообщить о принятых мерах" in linked
    assert "Подразделения: Отдел ЖКХ, Отдел дорог и благоустройства" in linked  # names, not ids
    route = client.get(f"/tasks/{tasks_of(sessions, later, 'screen')[0].task_id}").text
    assert "Повторное обращение по закрытому делу" in route  # the task page shows it too
    back = client.get(f"/cases/{earlier}").text.split("Связанные дела")[1].split("</ul>")[0]
    assert f'href="/cases/{later}"' in back and "Повторное обращение после закрытия" in back
    other = send_message(sessions, web_runtime, "3", thread_id="t-6")
    assert "Связанные дела" not in client.get(f"/cases/{other}").text


def test_the_route_page_of_a_linked_case_starts_from_the_earlier_departments(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    earlier = routed_case(
        sessions, web_runtime, send_message(sessions, web_runtime, thread_id="t-7")
    )
    complete(
        sessions,
        web_runtime,
        earlier,
        "draft_answer",
        answer_kind="final",
        answer_text="Здравствуйте! Готово.",
    )
    complete(sessions, web_runtime, earlier, "review", review_decision="approve")
    complete(sessions, web_runtime, earlier, "publish", published_url="https://vk.com/wall-1_1?r=3")
    later = send_message(sessions, web_runtime, "2", thread_id="t-7", text="Снова мусор")
    complete(sessions, web_runtime, later, "screen", screen_decision="process")
    client = login(app.test_client(), "curator")
    (route,) = tasks_of(sessions, later, "route")
    page = client.get(f"/tasks/{route.task_id}").text
    assert sorted(TICKED.findall(page)) == ["housing", "roads"]
    fresh = send_message(sessions, web_runtime, "3", thread_id="t-8")
    complete(sessions, web_runtime, fresh, "screen", screen_decision="process")
    (other,) = tasks_of(sessions, fresh, "route")
    untouched = client.get(f"/tasks/{other.task_id}").text
    assert TICKED.findall(untouched) == []
