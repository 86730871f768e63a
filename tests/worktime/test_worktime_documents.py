"""Every deadline phrase of the five regulations, verbatim from /work/shared/regulations/*.txt."""

import pytest

from engine.worktime import DeadlineSpec, Unit, deadline_readings, parse_deadline

W, C = True, False
H, M, D = Unit.HOUR, Unit.MINUTE, Unit.DAY

# (document clause, the phrase as the document writes it, the spec it reads as)
PHRASES = [
    ("chaykovsky 2, 4", "в течение 2-х часов", DeadlineSpec(2, H, C)),
    ("chaykovsky 3", "в течение 8 часов", DeadlineSpec(8, H, C)),
    ("palana 10", "в течение рабочего дня", DeadlineSpec(1, Unit.END_OF_WORKING_DAY, W)),
    ("palana 10", "не более 2 рабочих дней", DeadlineSpec(2, D, W)),
    (
        "palana 11",
        "не позднее 5 рабочих дней со дня выявления сообщения из открытых источников",
        DeadlineSpec(5, D, W, from_phrase="выявления сообщения из открытых источников"),
    ),
    (
        "palana 12",
        "до 7 рабочих дней со дня направления промежуточного ответа",
        DeadlineSpec(7, D, W, from_phrase="направления промежуточного ответа"),
    ),
    ("myasnikovsky 7", "в течение 30 минут", DeadlineSpec(30, M, C)),
    (
        "myasnikovsky 8",
        "не позднее 24 часов с момента поступления от куратора публикации, на которую "
        "требуется реагирование",
        DeadlineSpec(
            24,
            H,
            C,
            from_phrase="поступления от куратора публикации, на которую требуется реагирование",
        ),
    ),
    (
        "myasnikovsky 10",
        "не позднее чем за 4 часа до истечения срока, предусмотренного пунктом 8 настоящего "
        "Положения",
        DeadlineSpec(
            4,
            H,
            C,
            before=True,
            anchor_phrase="срока, предусмотренного пунктом 8 настоящего Положения",
        ),
    ),
    (
        "myasnikovsky 10",
        "в течение 30 минут с момента поступления проекта ответа на публикацию",
        DeadlineSpec(30, M, C, from_phrase="поступления проекта ответа на публикацию"),
    ),
    (
        "perm 3.1",
        "в течение 1 часа с момента поступления сообщения",
        DeadlineSpec(1, H, C, from_phrase="поступления сообщения"),
    ),
    (
        "perm 3.2.1",
        "не позднее чем через 4 часа с момента поступления сообщения Исполнителю",
        DeadlineSpec(4, H, C, from_phrase="поступления сообщения Исполнителю"),
    ),
    (
        "perm 3.2.2",
        "не позднее чем через 48 часов \nс момента поступления сообщения Исполнителю",
        DeadlineSpec(48, H, C, from_phrase="поступления сообщения Исполнителю"),
    ),
    (
        "perm 3.3",
        "не позднее чем через 8 часов в период служебного времени с момента поступления "
        "сообщения Исполнителю",
        DeadlineSpec(8, H, W, from_phrase="поступления сообщения Исполнителю"),
    ),
    (
        "perm 3.4",
        "не позднее чем через 8 календарных дней со дня направления сообщения Исполнителю",
        DeadlineSpec(8, D, C, from_phrase="направления сообщения Исполнителю"),
    ),
    (
        "perm 3.5",
        "не позднее чем через 30 минут после получения ответа на сообщение от Исполнителя (ей)",
        DeadlineSpec(30, M, C, from_phrase="получения ответа на сообщение от Исполнителя (ей)"),
    ),
    ("perm 3.7", "в течение 4 часов", DeadlineSpec(4, H, C)),
    (
        "elets 3",
        "не позднее 8 часов с момента поступления сообщения в подсистему «Система Инцидент»",
        DeadlineSpec(8, H, C, from_phrase="поступления сообщения в подсистему «Система Инцидент»"),
    ),
    (
        "elets 4",
        "в течение 30 рабочих минут после получения сообщений из открытых источников",
        DeadlineSpec(30, M, W, from_phrase="получения сообщений из открытых источников"),
    ),
    ("elets 5", "в течение 1 рабочего часа", DeadlineSpec(1, H, W)),
    ("elets 6", "в течение 6 рабочих часов", DeadlineSpec(6, H, W)),
    (
        "elets 7",
        "в течение 30 рабочих минут с момента поступления проекта ответа на сообщение из "
        "открытых источников или запроса (уточнения)",
        DeadlineSpec(
            30,
            M,
            W,
            from_phrase="поступления проекта ответа на сообщение из открытых источников или "
            "запроса (уточнения)",
        ),
    ),
    (
        "elets 8",
        "в течение 30 рабочих минут после поступления проекта ответа на сообщение из открытых "
        "источников на доработку",
        DeadlineSpec(
            30,
            M,
            W,
            from_phrase="поступления проекта ответа на сообщение из открытых источников на "
            "доработку",
        ),
    ),
    (
        "elets 9",
        "не более 7 рабочих дней со дня направления промежуточного ответа",
        DeadlineSpec(7, D, W, from_phrase="направления промежуточного ответа"),
    ),
]


@pytest.mark.parametrize(("clause", "text", "spec"), PHRASES, ids=[p[0] for p in PHRASES])
def test_reads_the_regulations_as_written(clause: str, text: str, spec: DeadlineSpec) -> None:
    assert parse_deadline(text) == spec


@pytest.mark.parametrize(("clause", "text", "spec"), PHRASES, ids=[p[0] for p in PHRASES])
def test_describes_each_back_in_russian_that_reads_the_same(
    clause: str, text: str, spec: DeadlineSpec
) -> None:
    described = parse_deadline(text).describe()
    assert parse_deadline(described) == spec


def test_how_the_phrases_are_written_back() -> None:
    assert parse_deadline(PHRASES[8][1]).describe() == (
        "за 4 часа до истечения срока, предусмотренного пунктом 8 настоящего Положения"
    )
    assert parse_deadline(PHRASES[13][1]).describe() == (
        "8 рабочих часов с момента поступления сообщения Исполнителю"
    )
    assert parse_deadline(PHRASES[14][1]).describe() == (
        "8 календарных дней со дня направления сообщения Исполнителю"
    )


def test_only_palanas_working_day_needs_a_reading_of_the_ones_with_a_default() -> None:
    ambiguous = [clause for clause, text, _ in PHRASES if deadline_readings(text)]
    assert ambiguous == ["palana 10"]


def test_myasnikovsky_immediate_report_has_no_reading_of_its_own() -> None:
    """Myasnikovsky 13: «Незамедлительному докладу … подлежит»."""
    assert [r.text for r in deadline_readings("Незамедлительному докладу")] == [
        "30 рабочих минут",
        "1 рабочий час",
        "до конца текущего рабочего дня",
    ]
