"""The administrator's people pages: accounts, password resets, closing, substitutions."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.models import AuditEvent, User
from engine.statuses import AuditKind
from tests.web.conftest import PASSWORD, login, on_both_databases

NEW = {
    "login": "ivanova",
    "full_name": "Ирина Иванова",
    "roles": ["executor"],
    "department": "housing",
    "email": "ivanova@example.ru",
    "password": "temporary-1",
}


@pytest.fixture
def admins(sessions: sessionmaker[Session]) -> None:
    """An administrator of the example town and one of Perm."""
    with sessions.begin() as session:
        for login_name, town in (("admin", "example"), ("perm.admin", "perm")):
            create_user(
                session,
                login=login_name,
                password=PASSWORD,
                full_name=f"Администратор {town}",
                roles=["administrator"],
                municipality=town,
            )


def _user(sessions: sessionmaker[Session], login_name: str) -> User:
    with sessions() as session:
        return session.scalars(select(User).where(User.login == login_name)).one()


def _errors(page: str, field: str) -> str:
    """The text of a field's error list (empty when the field has none)."""
    found = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def _kinds(sessions: sessionmaker[Session]) -> list[tuple[AuditKind, str, str]]:
    with sessions() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind.in_([kind for kind in AuditKind if kind.startswith("user_")]))
            .order_by(AuditEvent.id)
        )
        return [(row.kind, row.actor, str(row.data.get("user"))) for row in rows]


def _sign_in(app: Flask, login_name: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"login": login_name, "password": password})
    assert response.status_code == 302, response.text
    return client


@on_both_databases
def test_an_administrator_creates_an_account_whose_owner_sets_a_password_first(
    app: Flask, sessions: sessionmaker[Session], admins: None
) -> None:
    admin = login(app.test_client(), "admin")
    form = admin.get("/people/new").text
    assert 'name="roles" value="executor"' in form and "Временный пароль" in form
    created = admin.post("/people/new", data=NEW)
    assert created.status_code == 302
    listing = admin.get("/people/").text
    assert "Ирина Иванова" in listing and "должен задать новый пароль" in listing
    newcomer = _sign_in(app, "ivanova", "temporary-1")
    for path in ("/", "/messages/", "/people/", "/team/"):
        answer = newcomer.get(path)
        assert answer.status_code == 302 and answer.location.endswith("/password"), path
    page = newcomer.get("/password").text
    assert "Администратор сбросил ваш пароль" in page and 'name="current"' not in page
    differ = newcomer.post("/password", data={"password": "chosen-pass", "repeat": "other-pass"})
    assert differ.status_code == 422 and "Пароли не совпадают." in _errors(differ.text, "repeat")
    same = newcomer.post("/password", data={"password": "temporary-1", "repeat": "temporary-1"})
    assert same.status_code == 422 and "отличаться от прежнего" in _errors(same.text, "password")
    short = newcomer.post("/password", data={"password": "short", "repeat": "short"})
    assert "Не короче 8 символов." in _errors(short.text, "password")
    done = newcomer.post("/password", data={"password": "chosen-pass", "repeat": "chosen-pass"})
    assert done.status_code == 302
    assert newcomer.get("/").status_code == 200  # the same session goes on
    assert not _user(sessions, "ivanova").must_change_password
    _sign_in(app, "ivanova", "chosen-pass")
    assert _kinds(sessions) == [(AuditKind.USER_CREATED, "admin", "ivanova")]


@on_both_databases
def test_refused_accounts_say_why_beside_each_field_and_store_nothing(
    app: Flask, sessions: sessionmaker[Session], admins: None
) -> None:
    admin = login(app.test_client(), "admin")
    for change, field, message in (
        ({"login": ""}, "login", "строчные латинские буквы"),
        ({"login": "Иванова"}, "login", "строчные латинские буквы"),
        ({"login": "x" * 65}, "login", "от 1 до 64 символов"),
        ({"login": "curator"}, "login", "Такой логин уже есть."),
        ({"full_name": " "}, "full_name", "Обязательное поле."),
        ({"full_name": "я" * 300}, "full_name", "Не длиннее 256 символов."),
        ({"roles": []}, "roles", "Выберите хотя бы одну роль."),
        ({"roles": ["forged"]}, "roles", "Таких ролей в муниципалитете нет: forged."),
        ({"department": ""}, "department", "нужно подразделение"),
        ({"department": "d" * 200}, "department", "Выберите подразделение из списка."),
        ({"email": "not-mail"}, "email", "Адрес почты записан неверно"),
        ({"email": "a" * 400 + "@example.ru"}, "email", "Не длиннее 320 символов."),
        ({"roles": ["executor"] * 500 + ["я" * 100]}, "roles", "Таких ролей"),
        ({"login": "", "password": "short"}, "password", "Не короче 8 символов."),
    ):
        refused = admin.post("/people/new", data={**NEW, **change})
        assert refused.status_code == 422, change
        assert message in _errors(refused.text, field), (change, refused.text)
        assert 'value="Ирина Иванова"' in refused.text or "full_name" in change
    with sessions() as session:
        assert session.scalar(select(User).where(User.login == "ivanova")) is None
    assert _kinds(sessions) == []


def test_editing_resetting_closing_and_reopening_are_audited(
    app: Flask, sessions: sessionmaker[Session], admins: None
) -> None:
    admin = login(app.test_client(), "admin")
    housing = _user(sessions, "housing")
    their_session = login(app.test_client(), "housing")
    edited = admin.post(
        f"/people/{housing.id}",
        data={"full_name": "Борис Жилищный", "roles": ["executor", "approver"],
              "department": "roads", "email": "", "login": "ignored"},
    )  # fmt: skip
    assert edited.status_code == 302
    changed = _user(sessions, "housing")
    assert changed.full_name == "Борис Жилищный" and changed.department == "roads"
    assert changed.roles == ["executor", "approver"] and changed.login == "housing"
    short = admin.post(f"/people/{housing.id}/password", data={"temporary": "short"})
    assert short.status_code == 422 and "Не короче 8 символов." in _errors(short.text, "temporary")
    assert admin.post(f"/people/{housing.id}/password", data={"temporary": "reset-pass-1"})
    assert their_session.get("/").status_code == 302  # signed out everywhere
    assert _user(sessions, "housing").must_change_password
    again = _sign_in(app, "housing", "reset-pass-1")
    assert again.get("/").location.endswith("/password")
    assert admin.post(f"/people/{housing.id}/deactivate").status_code == 302
    assert again.get("/password").status_code == 302  # a closed account's session ends
    closed = app.test_client().post("/login", data={"login": "housing", "password": "reset-pass-1"})
    assert closed.status_code == 401
    assert "закрыта" in admin.get("/people/").text
    assert admin.post(f"/people/{housing.id}/activate").status_code == 302
    _sign_in(app, "housing", "reset-pass-1")
    history = admin.get(f"/people/{housing.id}").text.split("Изменения учётной записи")[1]
    assert history.index("Учётная запись снова открыта") < history.index("Пароль сброшен")
    assert "Учётная запись изменена — Администратор example" in history
    me = _user(sessions, "admin")
    own = admin.post(f"/people/{me.id}/deactivate")
    assert own.status_code == 409 and "собственную учётную запись" in own.text
    demoted = admin.post(
        f"/people/{me.id}", data={"full_name": "Я", "roles": ["head"], "department": ""}
    )
    assert demoted.status_code == 422 and "с самого себя" in _errors(demoted.text, "roles")
    assert _kinds(sessions) == [
        (AuditKind.USER_UPDATED, "admin", "housing"),
        (AuditKind.USER_PASSWORD_RESET, "admin", "housing"),
        (AuditKind.USER_DEACTIVATED, "admin", "housing"),
        (AuditKind.USER_REACTIVATED, "admin", "housing"),
    ]


def test_people_pages_are_the_administrators_and_only_of_their_municipality(
    app: Flask, sessions: sessionmaker[Session], admins: None
) -> None:
    for login_name in ("head", "curator", "housing"):
        assert login(app.test_client(), login_name).get("/people/").status_code == 403
    assert "Сотрудники" not in login(app.test_client(), "head").get("/").text.split("</nav>")[0]
    perm_admin = login(app.test_client(), "perm.admin")
    assert "Анна Куратор" not in perm_admin.get("/people/").text
    curator = _user(sessions, "curator")
    for method, path, data in (
        ("get", f"/people/{curator.id}", {}),
        ("post", f"/people/{curator.id}", {"full_name": "X", "roles": ["head"]}),
        ("post", f"/people/{curator.id}/password", {"temporary": "long-enough-1"}),
        ("post", f"/people/{curator.id}/deactivate", {}),
        ("post", f"/people/{curator.id}/activate", {}),
        ("get", "/people/99999", {}),
        ("get", f"/people/{2**40}", {}),
    ):
        answer = getattr(perm_admin, method)(path, data=data)
        assert answer.status_code == 404, (method, path)
    assert _user(sessions, "curator").full_name == "Анна Куратор"
    assert _kinds(sessions) == []


def test_an_administrator_sees_and_ends_substitutions_on_the_people_page(
    app: Flask, sessions: sessionmaker[Session], admins: None
) -> None:
    head = login(app.test_client(), "head")
    housing, roads = _user(sessions, "housing"), _user(sessions, "roads")
    data = {
        "absent": str(housing.id),
        "substitute": str(roads.id),
        "starts_on": "2026-03-16",
        "ends_on": "2026-12-14",
        "reason": "отпуск",
    }
    assert head.post("/team/substitutions", data=data).status_code == 302
    admin = login(app.test_client(), "admin")
    page = admin.get("/people/").text
    assert "с 16.03.2026 по 14.12.2026 включительно" in page and "Завершить сейчас" in page
    ending = re.search(r'action="(/people/substitutions/\d+/end)"', page)
    assert ending is not None
    assert admin.post(ending.group(1)).status_code == 302
    assert "Завершить сейчас" not in admin.get("/people/").text
    again = admin.post(ending.group(1), follow_redirects=True)
    assert "уже закончилось" in again.text
    perm_admin = login(app.test_client(), "perm.admin")
    assert perm_admin.post(ending.group(1)).status_code == 404


def test_a_voluntary_password_change_asks_for_the_current_one(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    curator = login(app.test_client(), "curator")
    assert 'name="current"' in curator.get("/password").text
    wrong = curator.post(
        "/password", data={"current": "nope", "password": "brand-new-1", "repeat": "brand-new-1"}
    )
    assert wrong.status_code == 422 and "Неверный текущий пароль." in _errors(wrong.text, "current")
    other = login(app.test_client(), "curator")
    changed = curator.post(
        "/password", data={"current": PASSWORD, "password": "brand-new-1", "repeat": "brand-new-1"}
    )
    assert changed.status_code == 302 and curator.get("/").status_code == 200
    assert other.get("/").status_code == 302  # the other session has ended
    _sign_in(app, "curator", "brand-new-1")


_HOSTILE = st.one_of(
    st.sampled_from(["", " ", "я" * 70000, "x" * 2000, "housing\x00", "d" * 200, "<b>", "@"]),
    st.text(max_size=60),
)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.fixed_dictionaries(
        {name: _HOSTILE for name in ("login", "full_name", "department", "email", "password")}
    ),
    roles=st.lists(st.one_of(st.sampled_from(["executor", "head"]), _HOSTILE), max_size=4),
)
def test_fuzzed_account_forms_answer_a_field_error_or_create_never_a_500(
    app: Flask,
    sessions: sessionmaker[Session],
    admins: None,
    values: dict[str, str],
    roles: list[str],
) -> None:
    admin = login(app.test_client(), "admin")
    created = admin.post("/people/new", data={**values, "roles": roles})
    assert created.status_code in (302, 400, 422), created.status_code
    curator = _user(sessions, "curator")
    edited = admin.post(f"/people/{curator.id}", data={**values, "roles": roles})
    assert edited.status_code in (302, 400, 422), edited.status_code
