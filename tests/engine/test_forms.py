"""Forms as data: every kind and rule compiles to marshmallow; bad declarations are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.forms import (
    FormContext,
    FormDeclarationError,
    FormError,
    VersionForms,
    declared_in,
    forms_from_json,
    forms_to_json,
    library,
    provided_names,
    version_declaration,
)
from engine.forms.declaration import ENGINE_NAMES
from engine.instances import initial_data
from engine.runtime import Runtime
from tests.engine.helpers import deploy_example, send

CONTEXT = FormContext(
    departments=(("housing", "Отдел ЖКХ"), ("roads", "Дороги"), ("transport", "Транспорт")),
    timezone="Europe/Moscow",
)


def _forms(yaml_text: str) -> VersionForms:
    return VersionForms(version_declaration(yaml_text), CONTEXT)


def _errors(forms: VersionForms, key: str, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(FormError) as refused:
        forms.validate(key, data)
    return refused.value.errors


def _one_field(field: str, extra: str = "") -> str:
    return f"""
forms:
  - key: probe
    title: Проба
    fields:
      - {field}
{extra}"""


@pytest.mark.parametrize(
    ("field", "good", "loaded", "bad", "message"),
    [
        ("{name: f, kind: text, label: Т, max_length: 5}", "abc", "abc", "abcdef", "Не длиннее 5"),
        (
            "{name: f, kind: long_text, label: Т, min_length: 3}",
            "abcd",
            "abcd",
            "ab",
            "Не короче 3",
        ),
        ("{name: f, kind: choice, label: В, choices: {a: А, b: Б}}", "a", "a", "c", "А, Б"),
        (
            "{name: f, kind: multi_choice, label: В, choices: {a: А, b: Б}, max: 1}",
            ["b"],
            ["b"],
            ["a", "b"],
            "не больше 1",
        ),
        (
            "{name: f, kind: checklist, label: В, required: true, choices: {a: А, b: Б}}",
            ["a", "b"],
            ["a", "b"],
            ["a"],
            "Не подтверждено: Б",
        ),
        ("{name: f, kind: department, label: П}", "roads", "roads", "parks", "parks"),
        (
            "{name: f, kind: departments, label: П, max: 2}",
            ["roads", "housing"],
            ["roads", "housing"],
            ["roads", "housing", "transport"],
            "не больше 2",
        ),
        (
            "{name: f, kind: datetime, label: К}",
            "2026-03-16T10:00",
            "2026-03-16T10:00:00+03:00",  # a local time is read in the municipality's zone
            "завтра",
            "Укажите дату и время.",
        ),
        ("{name: f, kind: date, label: Д}", "2026-05-13", "2026-05-13", "13.05", "ГГГГ-ММ-ДД"),
        (
            "{name: f, kind: deadline_text, label: С}",
            "1 рабочий день",
            "1 рабочий день",
            "скоро",
            "Не удалось прочитать срок",
        ),
        ("{name: f, kind: url, label: С}", "https://a.ru/x", "https://a.ru/x", "a.ru", "ссылку"),
        ("{name: f, kind: email, label: П}", "a@b.ru", "a@b.ru", "a-b.ru", "электронной почты"),
        (
            "{name: f, kind: phone, label: Т}",
            "+7 (342) 217-79-00",
            "+7 (342) 217-79-00",
            "звоните",
            "телефона",
        ),
        (
            "{name: f, kind: attachments, label: Ф, max: 1}",
            ["https://a.ru/1.jpg"],
            ["https://a.ru/1.jpg"],
            ["file.jpg"],
            "file.jpg",
        ),
        ("{name: f, kind: boolean, label: Д}", True, True, "может быть", "«да» или «нет»"),
        ("{name: f, kind: number, label: Ч, min: 1, max: 9}", "3", 3, 10, "Не больше 9"),
    ],
)
def test_every_kind_compiles_to_a_validating_field(
    field: str, good: Any, loaded: Any, bad: Any, message: str
) -> None:
    forms = _forms(_one_field(field))
    assert forms.validate("probe", {"f": good})["f"] == loaded
    errors = _errors(forms, "probe", {"f": bad})
    assert list(errors) == ["f"] and message in " ".join(errors["f"])


def test_unknown_fields_are_refused_and_the_free_comment_is_always_there() -> None:
    forms = _forms(_one_field("{name: f, kind: text, label: Т}"))
    assert forms.validate("probe", {}) == {"f": "", "comment": ""}
    assert _errors(forms, "probe", {"g": 1}) == {"g": ["Неизвестное поле."]}


def test_required_if_with_all_any_not_and_in() -> None:
    forms = _forms("""
forms:
  - key: probe
    title: Проба
    fields:
      - {name: decision, kind: choice, label: Р, choices: {a: А, b: Б, c: В}}
      - {name: urgent, kind: boolean, label: С}
      - name: why
        kind: text
        label: Почему
        required_if:
          all:
            - {field: decision, in: [b, c]}
            - any: [{field: urgent, equals: true}, {not: {field: decision, equals: b}}]
""")
    assert forms.validate("probe", {"decision": "a"})["why"] == ""
    assert forms.validate("probe", {"decision": "b"})["why"] == ""  # b and not urgent
    assert _errors(forms, "probe", {"decision": "b", "urgent": True}) == {
        "why": ["Обязательное поле."]
    }
    assert _errors(forms, "probe", {"decision": "c"}) == {"why": ["Обязательное поле."]}
    assert forms.validate("probe", {"decision": "c", "why": "потому"})["why"] == "потому"


def test_library_screen_and_review_keep_their_rules_and_messages() -> None:
    forms = VersionForms(library(), CONTEXT)
    assert _errors(forms, "screen", {"screen_decision": "not_processed"}) == {
        "not_processed_reason": ["Укажите основание."]
    }
    assert _errors(forms, "screen", {"screen_decision": "redirect"}) == {
        "redirect_to": ["Обязательное поле."],
        "redirect_reasons": ["Обязательное поле."],
    }
    assert _errors(forms, "review", {"review_decision": "rework"}) == {
        "rework_reasons": ["Укажите причину возврата на доработку."]
    }
    assert forms.validate("approve", {"review_decision": "approve"})["rework_reasons"] == []
    assert _errors(forms, "route", {"departments": ["roads", "parks"]}) == {
        "departments": ["Нет такого подразделения: parks."]
    }


def test_extends_narrows_relabels_removes_adds_and_overrides_messages() -> None:
    forms = _forms("""
forms:
  - key: review
    extends: review
    help: Своя подсказка
    remove: [comment]
    fields:
      - name: rework_reasons
        choices: {formal: Формально (п. 3.7.1), jargon: Термины (п. 3.7.4)}
        errors: {choice: "Не основание по п. 3.7: {unknown}."}
      - name: checked
        kind: checklist
        label: Проверено
        required_if: {field: review_decision, equals: approve}
        choices: {greeting: Приветствие, grammar: Грамматика}
  - key: route
    extends: route
    remove: [importance, shortened_deadline, repeat_publication]
    fields:
      - {name: departments, max: 2}
""")
    review = forms.form("review")
    assert review.names == ("review_decision", "rework_reasons", "checked")
    assert review.title == library()["review"].title and review.help == "Своя подсказка"
    assert review.field("rework_reasons").choices == (  # type: ignore[union-attr]
        ("formal", "Формально (п. 3.7.1)"),
        ("jargon", "Термины (п. 3.7.4)"),
    )
    assert _errors(forms, "review", {"review_decision": "rework", "rework_reasons": ["other"]}) == {
        "rework_reasons": ["Не основание по п. 3.7: other."]
    }
    assert _errors(forms, "review", {"review_decision": "approve", "checked": ["grammar"]}) == {
        "checked": ["Не подтверждено: Приветствие."]
    }
    assert _errors(forms, "review", {"review_decision": "approve"}) == {
        "checked": ["Подтвердите каждый пункт: Приветствие, Грамматика."]
    }
    approved = {"review_decision": "approve", "checked": ["greeting", "grammar"]}
    assert forms.validate("review", approved)["checked"] == ["greeting", "grammar"]
    assert "importance" not in forms.form("route").names
    assert _errors(forms, "route", {"departments": ["roads", "housing", "transport"]}) == {
        "departments": ["Подразделений можно выбрать не больше 2."]
    }
    assert _errors(forms, "route", {"departments": ["roads"], "importance": "high"}) == {
        "importance": ["Неизвестное поле."]
    }
    assert library()["review"].field("rework_reasons").choice_values[-1] == "other"  # type: ignore[union-attr]


def test_a_narrowing_list_keeps_the_library_labels() -> None:
    forms = _forms("""
forms:
  - key: review
    extends: review
    fields:
      - {name: rework_reasons, choices: [no_greeting, grammar]}
""")
    assert forms.form("review").field("rework_reasons").choices == (  # type: ignore[union-attr]
        ("no_greeting", "Нет приветствия"),
        ("grammar", "Грамматические ошибки"),
    )


@pytest.mark.parametrize(
    ("declaration", "names"),
    [
        (
            "- {key: probe, title: П, fields: [{name: f, kind: slider, label: Ш}]}",
            ("probe", "f", "неизвестный вид поля «slider»"),
        ),
        ("- {key: probe, extends: reviw}", ("probe", None, "нет формы «reviw» в библиотеке")),
        (
            "- {key: probe, title: П, fields: [{name: f, kind: text, label: Т, "
            "required_if: {field: g, equals: x}}]}",
            ("probe", "f", "в форме нет поля «g»"),
        ),
        (
            "- {key: review, extends: review, fields: [{name: rework_reasons, "
            "choices: [formal, rude]}]}",
            ("review", "rework_reasons", "можно только сузить список"),
        ),
        (
            "- {key: probe, title: П, fields: [{name: f, kind: choice, label: В}]}",
            ("probe", "f", "требует choices"),
        ),
        (
            "- {key: probe, title: П, fields: [{name: f, kind: text, label: Т, max: 3}]}",
            ("probe", "f", "нет ключей ['max']"),
        ),
        (
            "- {key: probe, title: П, fields: [{name: f, kind: text, label: Т, "
            "errors: {choise: нет}}]}",
            ("probe", "f", "нет сообщений ['choise']"),
        ),
        (
            "- {key: probe, title: П, fields: [{name: f, kind: text, label: Т, "
            "errors: {required: '{foo}'}}]}",
            ("probe", "f", "неизвестные подстановки ['foo']"),
        ),
        (
            "- {key: screen, extends: screen, fields: [{name: redirect_to, "
            "required_if: {field: screen_decision, equals: maybe}}]}",
            ("screen", "redirect_to", "нет значений ['maybe']"),
        ),
        (
            "- {key: screen, extends: screen, remove: [screen_decision]}",
            ("screen", "not_processed_reason", "в форме нет поля «screen_decision»"),
        ),
        (
            "- {key: screen, extends: screen, fields: [{name: redirect_to, kind: url}]}",
            ("screen", "redirect_to", "уберите поле (remove)"),
        ),
        (
            "- {key: probe, title: П, fields: [{name: f, kind: departments, label: П, "
            "min: 3, max: 1}]}",
            ("probe", "f", "min больше max"),
        ),
        (
            "- {key: probe, title: П, fields: [{name: Bad-Name, kind: text, label: Т}]}",
            ("probe", "Bad-Name", "имя поля"),
        ),
        ("- {key: probe, fields: []}", ("probe", None, "нужен заголовок")),
        (
            "- {key: probe, title: П, fields: [{name: received_at, kind: datetime, label: К}]}",
            ("probe", "received_at", "занято данными, которые ведёт движок"),
        ),
        ("- {key: probe, title: П, colour: red}", ("probe", None, "неизвестные ключи ['colour']")),
    ],
)
def test_bad_declarations_are_refused_in_russian_naming_form_and_field(
    declaration: str, names: tuple[str, str | None, str]
) -> None:
    form, field, reason = names
    with pytest.raises(FormDeclarationError) as refused:
        declared_in(f"forms:\n  {declaration}\n")
    assert (refused.value.form, refused.value.field_name) == (form, field)
    assert f"форма «{form}»" in str(refused.value) and reason in str(refused.value)
    if field:
        assert f"поле «{field}»" in str(refused.value)


def test_not_yaml_and_not_a_forms_list_are_refused() -> None:
    with pytest.raises(FormDeclarationError, match="YAML"):
        declared_in("forms: [unclosed")
    with pytest.raises(FormDeclarationError, match="forms:"):
        declared_in("screen: {}")


def test_the_normalized_declaration_round_trips_through_json() -> None:
    declared = version_declaration("""
forms:
  - key: review
    extends: review
    fields:
      - {name: rework_reasons, choices: [formal], errors: {required: Укажите основание.}}
""")
    assert forms_from_json(forms_to_json(declared)) == declared
    assert {"screen_decision", "departments", "answer_text", "comment"} <= provided_names(declared)


def test_the_example_in_the_modelling_guide_is_a_valid_declaration() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "modelling.md").read_text("utf-8")
    example = guide.split("# processes/<municipality>/v1/forms.yaml\n", 1)[1].split("```", 1)[0]
    four = FormContext(departments=(*CONTEXT.departments, ("parks", "Парки")))
    forms = VersionForms(version_declaration(example), four)
    too_many = {"departments": ["housing", "roads", "transport", "parks"]}
    assert "Не больше трёх" in _errors(forms, "route", too_many)["departments"][0]
    assert set(_errors(forms, "draft_answer", {"redirects": True})) >= {
        "agency_phone",
        "agency_site",
    }


def test_no_form_field_may_take_a_name_the_engine_keeps(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    message = send(sessions, runtime).message
    kept = set(initial_data(message)) | {"last_completed_by"}  # added by every completion
    assert kept == ENGINE_NAMES
    assert not ENGINE_NAMES & provided_names(library())
