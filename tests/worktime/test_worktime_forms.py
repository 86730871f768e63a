"""The curator's shortened deadline (Palana 10) takes the new language, but no backwards term."""

import pytest

from engine.forms import FormError
from tests.engine.helpers import library_forms

ROUTE = {"departments": ["housing"]}
validate_form = library_forms().validate


@pytest.mark.parametrize(
    "text", ["2 (двух) рабочих дней", "не позднее следующего рабочего дня", "сорока восьми часов"]
)
def test_shortened_deadline_reads_legal_forms(text: str) -> None:
    assert (
        validate_form("route", {**ROUTE, "shortened_deadline": text})["shortened_deadline"] == text
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("за 4 часа до истечения срока", "от поступления сообщения"),
        ("незамедлительно", "таблица сроков регламента"),
        ("2 (трех) рабочих дней", "пишите «2 (двух)»"),
    ],
)
def test_shortened_deadline_refuses_what_cannot_be_counted_from_arrival(
    text: str, words: str
) -> None:
    with pytest.raises(FormError) as caught:
        validate_form("route", {**ROUTE, "shortened_deadline": text})
    assert words in str(caught.value.errors["shortened_deadline"])
