"""Step forms drawn from their schemas, and a Russian catalog that covers every text."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from marshmallow import fields
from werkzeug.datastructures import MultiDict

from engine.forms import FORMS
from web.forms.labels import CHOICE_LABELS, FIELD_LABELS
from web.forms.renderer import _choices_of, read_submission, render_form

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOG = WEB / "translations" / "ru" / "LC_MESSAGES" / "messages.po"


def test_every_field_and_choice_of_every_form_has_a_russian_label() -> None:
    for key, schema in FORMS.items():
        for name, item in schema().fields.items():
            assert name in FIELD_LABELS, f"form {key}: add {name!r} to web/forms/labels.py"
            inner = item.inner if isinstance(item, fields.List) else item
            for choice in _choices_of(inner) or []:
                assert choice in CHOICE_LABELS, f"form {key}: label the choice {choice!r}"


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


@pytest.mark.usefixtures("app")
def test_widgets_follow_the_field_types(app: Flask) -> None:
    with app.test_request_context():
        screen = {view.name: view for view in render_form("screen")}
        route = {
            view.name: view
            for view in render_form("route", dynamic_choices={"departments": [("roads", "Дороги")]})
        }
        draft = {view.name: view for view in render_form("draft_answer")}
        publish = {view.name: view for view in render_form("publish")}
    assert screen["screen_decision"].widget == "radio" and screen["screen_decision"].required
    assert screen["screen_decision"].choices[0] == ("process", "Взять в работу")
    assert route["departments"].widget == "checkboxes"
    assert route["executor_publishes"].widget == "checkbox"
    assert draft["answer_text"].widget == "textarea" and draft["attachments"].widget == "lines"
    assert publish["published_url"].widget == "url"
    assert list(screen)[-1] == "comment"


@pytest.mark.usefixtures("app")
def test_submissions_are_read_as_the_schema_wants_them(app: Flask) -> None:
    form = MultiDict(
        [
            ("review_decision", "rework"),
            ("rework_reasons", "formal"),
            ("rework_reasons", "grammar"),
            ("comment", "  "),
            ("csrf_token", "x"),
        ]
    )
    assert read_submission("review", form) == {
        "review_decision": "rework",
        "rework_reasons": ["formal", "grammar"],
    }
    draft = MultiDict([("attachments", "https://a.ru/1\nhttps://a.ru/2\n"), ("needs_photos", "1")])
    assert read_submission("draft_answer", draft) == {
        "attachments": ["https://a.ru/1", "https://a.ru/2"],
        "needs_photos": True,
    }
