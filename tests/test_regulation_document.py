"""The source documents kept with the municipalities, cut into clauses by number."""

from __future__ import annotations

import pytest

from engine.regulation.document import Document, cut_clauses, load_document
from engine.regulation.table import EMPTY_TABLE
from engine.report.model import cited_numbers
from engine.traceability import cited_clauses
from engine.versions import parse_file
from tests.conftest import PROCESSES

PERM_NUMBERS = [
    *("1.1", "1.2", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.3", "1.4"),  # I. Общие положения
    *("2.1", "2.1.1", "2.1.2", "2.1.3", "2.1.4"),
    *("3.1", "3.2", "3.2.1", "3.2.2", "3.3", "3.4", "3.5", "3.6", "3.7"),
    *("3.7.1", "3.7.2", "3.7.3", "3.7.4"),
]
FIVE = ("chaykovsky", "elets", "myasnikovsky", "palana", "perm")


def _document(municipality: str) -> Document:
    found = load_document(municipality, PROCESSES)
    assert found is not None, f"processes/{municipality}/document.txt is missing"
    return found


def _starts(document: Document, number: str) -> str:
    clause = document.find(number)
    assert clause is not None, f"no clause {number}"
    return " ".join(clause.text.split()[:4])


@pytest.mark.parametrize(
    ("municipality", "numbers", "first", "spots"),
    [
        (
            "chaykovsky",
            ["1", "2", "3", "4", "5", "5.1", "5.2", "5.3", "6"],
            ["1", "2", "3", "4", "5", "6", "7", "8"],
            {
                "2": "Специалисты Пресс-службы в течение",
                "5.3": "в случае перенаправления гражданина",
                "6": "Ответы на сообщения, поступившие",
            },
        ),
        (
            "elets",
            [str(n) for n in range(1, 12)],
            ["1", "2", "3"],
            {
                "4": "В случае, если решение",
                "7": "Отдел по обращениям граждан",
                "9": "В случае если дается",
            },
        ),
        (
            "myasnikovsky",
            [str(n) for n in range(1, 14)],
            ["1", "2", "3", "4"],
            {
                "7": "При поступлении информации из",
                "10": "Исполнитель подготавливает проект ответа",
            },
        ),
        (
            "palana",
            [str(n) for n in range(1, 17)],
            ["1", "2", "3", "4", "5"],
            {"10": "Куратор выявляет сообщения из", "15": "Не подлежат обработке и"},
        ),
        (
            "perm",
            PERM_NUMBERS,
            ["1", "2", "3", "4", "5", "6"],
            {
                "1.2.3": "лента – постоянно обновляющийся",
                "3.2.1": "ответы на сообщения, поступившие",
                "3.5": "Размещение Куратором ответа на",
            },
        ),
    ],
)
def test_each_document_is_cut_into_its_clauses(
    municipality: str, numbers: list[str], first: list[str], spots: dict[str, str]
) -> None:
    document = _document(municipality)
    assert [clause.number for clause in document.clauses] == numbers
    assert [clause.number for clause in document.decree] == first  # the approving act's points
    for number, words in spots.items():
        assert _starts(document, number) == " ".join(words.split()[:4]), number


def test_signatures_and_what_follows_them_are_no_clause_text() -> None:
    elets, myasnikovsky = _document("elets"), _document("myasnikovsky")
    assert elets.decree[-1].text.endswith("М.Н. Савчук.")  # not the drafter's phone after it
    assert myasnikovsky.clauses[-1].text.endswith("требующим оперативного решения.")
    assert "Кравченко" not in myasnikovsky.clauses[-1].text


def test_a_closing_paragraph_after_a_list_belongs_to_the_listing_clause() -> None:
    perm = _document("perm")
    rework = perm.find("3.7")
    assert rework is not None and rework.text.endswith("для размещения в течение 4 часов.")
    assert perm.find("3.7.4").text.endswith("необходимо раскрыть.")  # type: ignore[union-attr]
    middle = perm.find("2.1.2")  # a paragraph inside a list stays with its item
    assert middle is not None and "компетенции нескольких Исполнителей" in middle.text


def test_text_broken_across_lines_is_joined_and_items_stay_paragraphs() -> None:
    perm, palana = _document("perm"), _document("palana")
    assert "разработан в целях" in perm.find("1.1").text  # type: ignore[union-attr]
    functions = palana.find("4")
    assert functions is not None and functions.text.split("\n")[1].startswith("1) разрабатывает")


def test_a_number_that_does_not_follow_is_text_not_a_clause() -> None:
    document = cut_clauses(
        "1. Первый пункт от 02 мая\n2006 г. № 59-ФЗ.\n2. Второй.\n7. Опечатка.\n"
    )
    assert [clause.number for clause in document.clauses] == ["1", "2"]
    assert document.clauses[0].text == "Первый пункт от 02 мая 2006 г. № 59-ФЗ."
    assert document.clauses[1].text == "Второй. 7. Опечатка."


def test_a_citation_finds_the_decree_only_when_the_regulation_lacks_the_clause() -> None:
    perm, chaykovsky = _document("perm"), _document("chaykovsky")
    assert perm.find("6").part == "decree"  # type: ignore[union-attr]
    assert chaykovsky.find("1").part == "regulation"  # type: ignore[union-attr]
    assert chaykovsky.find("8").part == "decree"  # type: ignore[union-attr]
    assert [clause.number for clause in chaykovsky.expand("5.1–5.3")] == ["5.1", "5.2", "5.3"]


@pytest.mark.parametrize("municipality", FIVE)
def test_every_clause_the_diagram_cites_is_in_its_document(municipality: str) -> None:
    (bpmn,) = (PROCESSES / municipality).glob("v1/*.bpmn")
    catalog = parse_file(bpmn).catalog
    document = _document(municipality)
    numbers = cited_numbers(cited_clauses(catalog, EMPTY_TABLE), catalog)
    assert [number for number in sorted(numbers) if not document.expand(number)] == []


def test_clauses_nothing_cites() -> None:
    perm = _document("perm")
    catalog = parse_file(PROCESSES / "perm" / "v1" / "perm.bpmn").catalog
    numbers = cited_numbers(cited_clauses(catalog, EMPTY_TABLE), catalog)
    assert [clause.number for clause in perm.uncited(numbers)] == ["1.2.3", "1.2.4"]
    assert [clause.number for clause in perm.uncited({"3.2.1"})][:3] == ["1.1", "1.2", "1.2.1"]
    assert "3.2" not in [clause.number for clause in perm.uncited({"3.2.1"})]  # a part is cited
