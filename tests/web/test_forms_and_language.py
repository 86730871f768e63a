"""Step forms drawn from their declarations, and a Russian catalog that covers every text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from werkzeug.datastructures import MultiDict

from engine.forms import KINDS, FormContext, VersionForms, declared_in, library
from tests.conftest import PROCESSES
from web.forms.renderer import read_submission, render_form
from web.forms.widgets import WIDGETS

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOG = WEB / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
CONTEXT = FormContext(
    departments=(("housing", "Отдел ЖКХ"), ("roads", "Дороги")), timezone="Asia/Yekaterinburg"
)
EVERY_KIND = """
forms:
  - key: every_kind
    title: Все виды полей
    fields:
      - {name: decision, kind: choice, label: Решение, choices: {a: Да, b: Нет}}
      - {name: many, kind: multi_choice, label: Несколько, choices: {x: Икс, y: Игрек}, max: 1}
      - {name: checks, kind: checklist, label: Проверено, choices: {one: Первое, two: Второе}}
      - {name: unit, kind: department, label: Подразделение}
      - {name: units, kind: departments, label: Подразделения, max: 3}
      - {name: when, kind: datetime, label: Когда}
      - {name: day, kind: date, label: День}
      - {name: term, kind: deadline_text, label: Срок}
      - {name: site, kind: url, label: Сайт}
      - {name: mail, kind: email, label: Почта}
      - {name: phone, kind: phone, label: Телефон}
      - {name: files, kind: attachments, label: Файлы}
      - {name: sure, kind: boolean, label: Уверен}
      - {name: count, kind: number, label: Сколько, min: 1, max: 9}
      - {name: note, kind: text, label: Заметка, required_if: {field: decision, equals: b}}
"""


def _declared_forms() -> list[tuple[str, object]]:
    found = [("library", form) for form in library().values()]
    for path in sorted(PROCESSES.glob("*/v*/forms.yaml")):
        found += [(str(path), form) for form in declared_in(path.read_bytes()).values()]
    return found


def test_every_form_field_and_choice_is_labelled_in_russian() -> None:
    for where, form in _declared_forms():
        assert CYRILLIC.search(form.title), f"{where}: form {form.key} needs a Russian title"  # type: ignore[attr-defined]
        for spec in form.fields:  # type: ignore[attr-defined]
            assert CYRILLIC.search(spec.label), f"{where}: {form.key}.{spec.name} label"  # type: ignore[attr-defined]
            for value, label in spec.choices:
                assert CYRILLIC.search(label), f"{where}: {spec.name}: label the choice {value}"


def test_every_field_kind_has_a_widget() -> None:
    assert set(KINDS) <= set(WIDGETS)


def test_the_catalog_translates_every_message_of_the_interface() -> None:
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            WEB, method_map, keywords=keywords
        )
    }
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    missing = sorted(m for m in found if not catalog.get(m) or not catalog.get(m).string)
    assert missing == [], "add these to web/translations/ru (pybabel update)"


def test_widgets_follow_the_field_kinds() -> None:
    forms = VersionForms({**library(), **declared_in(EVERY_KIND)}, CONTEXT)
    screen = {view.name: view for view in render_form(forms, "screen")}
    route = {view.name: view for view in render_form(forms, "route")}
    draft = {view.name: view for view in render_form(forms, "draft_answer")}
    every = {
        view.name: view
        for view in render_form(forms, "every_kind", {"when": "2026-03-16T05:00:00+00:00"})
    }
    assert screen["screen_decision"].widget == "radio" and screen["screen_decision"].required
    assert screen["screen_decision"].choices[0] == ("process", "Взять в работу")
    assert screen["redirect_to"].rule == {"field": "screen_decision", "equals": "redirect"}
    assert screen["redirect_to"].required and not screen["comment"].required
    assert route["departments"].widget == "checkboxes"
    assert route["departments"].choices == [("housing", "Отдел ЖКХ"), ("roads", "Дороги")]
    assert route["executor_publishes"].widget == "checkbox"
    assert route["importance"].value == "normal"  # the declared default
    assert draft["answer_text"].widget == "textarea" and draft["attachments"].widget == "lines"
    assert list(screen)[-1] == "comment"
    widgets = {name: (view.widget, view.input_type) for name, view in every.items()}
    assert widgets["checks"][0] == "checklist" and widgets["unit"][0] == "select"
    assert widgets["when"] == ("input", "datetime-local")
    assert every["when"].value == "2026-03-16T10:00"  # shown in the municipality's zone
    assert widgets["mail"] == ("input", "email") and widgets["phone"] == ("input", "tel")
    assert widgets["site"] == ("input", "url") and widgets["count"] == ("input", "number")
    assert every["units"].max == 3 and widgets["files"][0] == "lines"


def test_submissions_are_read_as_the_schema_wants_them() -> None:
    forms = VersionForms(library(), CONTEXT)
    form = MultiDict(
        [
            ("review_decision", "rework"),
            ("rework_reasons", "formal"),
            ("rework_reasons", "grammar"),
            ("comment", "  "),
            ("csrf_token", "x"),
        ]
    )
    assert read_submission(forms.form("review"), form) == {
        "review_decision": "rework",
        "rework_reasons": ["formal", "grammar"],
    }
    draft = MultiDict([("attachments", "https://a.ru/1\nhttps://a.ru/2\n"), ("needs_photos", "1")])
    assert read_submission(forms.form("draft_answer"), draft) == {
        "attachments": ["https://a.ru/1", "https://a.ru/2"],
        "needs_photos": True,
    }


@pytest.mark.usefixtures("app")
def test_a_rule_is_written_for_the_browser_as_json(app: Flask) -> None:
    forms = VersionForms(library(), CONTEXT)
    with app.test_request_context():
        template = (
            '{% from "_form.html" import field %}{% for f in fields %}{{ field(f) }}{% endfor %}'
        )
        html = app.jinja_env.from_string(template).render(fields=render_form(forms, "screen"))
    assert (
        """data-required-if='{"equals": "redirect", "field": "screen_decision"}'""" in html
        or """data-required-if='{"field": "screen_decision", "equals": "redirect"}'""" in html
    )
    assert "<script" not in html  # rules are data; web/static/forms.js evaluates them
