"""Roles per municipality (engine.roles) and the schema of municipality.yaml, in Russian."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.demo_accounts import demo_users
from engine.municipalities import load_municipality
from engine.municipality_schema import MunicipalityFileError
from engine.roles import (
    DEFAULT_REGISTRY,
    ENTER_MESSAGES,
    MANAGE_PEOPLE,
    NAME_SUBSTITUTES,
    extended,
)
from engine.worktime.loader import clear_cache
from tests.conftest import PROCESSES

BASE = "name: town\ntitle: Город\ntimezone: Europe/Moscow\n"


def test_todays_roles_are_the_defaults_a_municipality_extends() -> None:
    assert DEFAULT_REGISTRY.ids == (
        "curator",
        "executor",
        "approver",
        "head",
        "administrator",
        "legal",  # the regulation editor only (docs/modeler.md): no lane, acts on no case
    )
    assert DEFAULT_REGISTRY.name("legal") == "юрист"
    assert DEFAULT_REGISTRY.lanes_of(["legal"]) == {"legal"}  # a lane no diagram has
    assert DEFAULT_REGISTRY.seeing("all") == {"curator", "head", "administrator"}
    assert DEFAULT_REGISTRY.sees("executor") == "department"
    assert DEFAULT_REGISTRY.role_of_lane("press_service") == "press_service"  # matches nobody
    roles = extended(
        [
            {"id": "curator", "lanes": ["press_service"]},
            {"id": "deputy_head", "name": "заместитель главы", "lanes": ["deputies"]},
        ]
    )
    assert roles.ids[-1] == "deputy_head" and roles.name("deputy_head") == "заместитель главы"
    assert roles.name("curator") == "куратор" and roles.sees("deputy_head") == "own"
    assert roles.role_of_lane("press_service") == "curator"
    assert roles.role_of_lane("deputies") == roles.role_of_lane("deputy_head") == "deputy_head"
    assert roles.lanes_of({"curator"}) == {"curator", "press_service"}
    assert not roles.knows_lane("clerks")


def test_lane_aliases_live_in_the_municipalities_that_need_them() -> None:
    """Chaykovsky's press service and Myasnikovsky's receiving department do the curator's work."""
    chaykovsky = load_municipality("chaykovsky", PROCESSES).roles
    myasnikovsky = load_municipality("myasnikovsky", PROCESSES).roles
    assert chaykovsky.role_of_lane("press_service") == "curator"
    assert myasnikovsky.role_of_lane("department") == "curator"
    assert load_municipality("perm", PROCESSES).roles.role_of_lane("press_service") != "curator"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BASE + "title: [", "не читается как YAML"),
        ("- a list\n", "ожидается набор ключей"),
        ("name: town\ntimezone: Europe/Moscow\n", "title: обязательный ключ отсутствует"),
        (BASE.replace("Europe/Moscow", "Europe/Atlantis"), "неизвестный часовой пояс"),
        (BASE.replace("name: town", "name: city"), "не совпадает с именем папки"),
        (BASE + "departmnets: []\n", "departmnets: неизвестный ключ"),
        (BASE + "departments: [{id: roads}]\n", r"departments\[1\]\.name: обязательный ключ"),
        (BASE + "departments: [{id: Roads, name: Д}]\n", r"departments\[1\]\.id: латинские"),
        (
            BASE + "departments: [{id: roads, name: Д}, {id: roads, name: Е}]\n",
            "departments: повторяются id: roads",
        ),
        (BASE + "calendar: 5\n", "calendar: ожидается набор ключей"),
        (BASE + "deadlines: {plain_hours: sometimes}\n", "plain_hours: одно из: calendar, working"),
        (BASE + "roles: [{id: deputy_head}]\n", r"roles\[1\]\.name: новой роли нужно русское"),
        (
            BASE + "roles: [{id: deputy_head, name: зам, sees: everything}]\n",
            r"roles\[1\]\.sees: одно из: all, department, own",
        ),
        (
            BASE + "roles: [{id: deputy_head, name: зам, lanes: [curator]}]\n",
            "дорожка «curator» уже закреплена за ролью «curator»",
        ),
        (BASE + "roles: [{id: curator, colour: red}]\n", r"roles\[1\]\.colour: неизвестный ключ"),
        (
            BASE + "roles: [{id: curator, may: [fly]}]\n",
            r"roles\[1\]\.may\[1\]: одно из: name_substitutes, enter_messages, manage_people",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_key(tmp_path: Path, text: str, says: str) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "municipality.yaml").write_text(text, encoding="utf-8")
    clear_cache()
    with pytest.raises(MunicipalityFileError, match=says) as refused:
        load_municipality("town", tmp_path)
    assert "municipality.yaml" in str(refused.value)


def test_a_missing_file_or_a_bad_name_is_refused_in_russian(tmp_path: Path) -> None:
    with pytest.raises(MunicipalityFileError, match=r"файла municipality\.yaml нет"):
        load_municipality("town", tmp_path)
    with pytest.raises(MunicipalityFileError, match="по имени папки"):
        load_municipality("../perm", tmp_path)


def test_a_new_role_is_declared_with_its_name_lanes_and_sight(tmp_path: Path) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "municipality.yaml").write_text(
        BASE
        + "roles:\n"
        + "  - {id: press_service, name: пресс-служба, lanes: [press], sees: all}\n"
        + "  - {id: executor, lanes: [sectors]}\n",
        encoding="utf-8",
    )
    clear_cache()
    roles = load_municipality("town", tmp_path).roles
    assert roles.seeing("all") >= {"press_service", "curator"}
    assert roles.role_of_lane("press") == "press_service"
    assert roles.role_of_lane("sectors") == "executor" and roles.sees("executor") == "department"


def test_the_demo_has_an_account_for_each_role_a_municipality_adds() -> None:
    fixtures = PROCESSES.parent / "tests" / "fixtures"
    added = [user for user in demo_users("zarechny", fixtures) if user.roles == ("deputy_head",)]
    assert [(user.login, user.full_name) for user in added] == [
        ("zarechny.deputy_head", "Заместитель главы (демо)")
    ]
    assert all(len(user.roles) == 1 for user in demo_users("perm", PROCESSES))


@pytest.mark.parametrize(
    ("calendar", "says"),
    [
        ("calendar: {office_hours: {mon: 9-18}}", r"calendar\.office_hours\.mon: ожидается время"),
        ("calendar: {office_hours: {mon: '18:00-09:00'}}", "начало должно быть раньше конца"),
        ("calendar: {office_hours: {monday: null}}", "день недели: mon, tue"),
        ("calendar: {lunch: 13}", r"calendar\.lunch: ожидается время"),
        ("calendar: {pre_holiday_shortening_minutes: 500}", "от 0 до 240 минут"),
        ("calendar: {overrides: {days_off: [{reason: x}]}}", r"days_off\[1\]\.date: обязательный"),
        (
            "calendar: {overrides: {days_off: [{date: 2026-03-09, hours: '09:00-13:00'}]}}",
            r"days_off\[1\]\.hours: неизвестный ключ",
        ),
        ("calendar: {overides: {}}", "calendar.overides: неизвестный ключ"),
    ],
)
def test_the_calendar_section_is_checked_in_russian(
    tmp_path: Path, calendar: str, says: str
) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "municipality.yaml").write_text(BASE + calendar + "\n", encoding="utf-8")
    clear_cache()
    with pytest.raises(MunicipalityFileError, match=says):
        load_municipality("town", tmp_path)


def test_what_a_role_may_do_comes_from_the_municipalitys_roles(tmp_path: Path) -> None:
    """The pages ask abilities, never role names: a deputy head may name substitutes."""
    assert DEFAULT_REGISTRY.may({"head"}, NAME_SUBSTITUTES)
    assert not DEFAULT_REGISTRY.may({"curator"}, NAME_SUBSTITUTES)
    assert DEFAULT_REGISTRY.may({"curator"}, ENTER_MESSAGES)
    assert not DEFAULT_REGISTRY.may({"head", "executor", "unknown"}, ENTER_MESSAGES)
    assert DEFAULT_REGISTRY.may({"administrator"}, MANAGE_PEOPLE)
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "municipality.yaml").write_text(
        BASE
        + "roles:\n"
        + "  - {id: deputy_head, name: заместитель главы, may: [name_substitutes]}\n"
        + "  - {id: executor, may: [enter_messages]}\n",
        encoding="utf-8",
    )
    clear_cache()
    roles = load_municipality("town", tmp_path).roles
    assert roles.may({"deputy_head"}, NAME_SUBSTITUTES)
    assert not roles.may({"deputy_head"}, MANAGE_PEOPLE)
    assert roles.may({"executor"}, ENTER_MESSAGES) and roles.may({"curator"}, ENTER_MESSAGES)
