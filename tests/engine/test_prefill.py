"""`default_from`: a task page's starting values read from the case, declared in forms.yaml."""

from __future__ import annotations

import pytest

from engine.forms import FormDeclarationError
from engine.forms.declaration import declare
from engine.prefill import prefilled


def _form(default_from: object) -> dict[str, object]:
    field = {"name": "departments", "kind": "departments", "label": "Куда"}
    return {
        "forms": [
            {"key": "probe", "title": "Проба", "fields": [{**field, "default_from": default_from}]}
        ]
    }


def test_a_path_into_the_case_data_gives_the_starting_value_and_nothing_when_absent() -> None:
    form = declare(_form("linked_case.departments"))["probe"]
    linked = {"linked_case": {"id": 1, "departments": ["roads", "housing"]}}
    assert prefilled(form, linked) == {"departments": ["roads", "housing"]}
    assert prefilled(form, {"linked_case": None}) == {}
    assert prefilled(form, {"linked_case": {"departments": []}}) == {}


@pytest.mark.parametrize("path", ["linked_case..departments", "Linked", 7, "a.b-c"])
def test_a_malformed_path_is_refused_naming_the_field(path: object) -> None:
    with pytest.raises(FormDeclarationError, match="поле «departments»: default_from"):
        declare(_form(path))
