"""Deadline language beyond digits: words, «N (словами)», tails, words needing a reading."""

import pytest

from engine.worktime import (
    DeadlineSpec,
    DeadlineSpecError,
    Reading,
    Unit,
    deadline_readings,
    parse_deadline,
)

W, C = True, False


@pytest.mark.parametrize(
    ("text", "amount", "unit", "working"),
    [
        ("2 (двух) рабочих дней", 2, Unit.DAY, W),
        ("в течение 2 (двух) рабочих дней", 2, Unit.DAY, W),
        ("24 (двадцать четыре) часа", 24, Unit.HOUR, C),
        ("не позднее 24 (двадцати четырёх) часов", 24, Unit.HOUR, C),
        ("двух (2) рабочих дней", 2, Unit.DAY, W),
        ("10 (десяти) рабочих дней", 10, Unit.DAY, W),
        ("30 (тридцать) календарных дней", 30, Unit.DAY, C),
        ("двадцать четыре часа", 24, Unit.HOUR, C),
        ("в течение сорока восьми часов", 48, Unit.HOUR, C),
        ("в течение тридцати рабочих минут", 30, Unit.MINUTE, W),
        ("не позднее пятнадцати рабочих дней", 15, Unit.DAY, W),
        ("девяноста девяти календарных дней", 99, Unit.DAY, C),
        ("сто часов", 100, Unit.HOUR, C),
        ("ста двадцати часов", 120, Unit.HOUR, C),
        ("в течение одного рабочего дня", 1, Unit.DAY, W),
        ("одну рабочую минуту", 1, Unit.MINUTE, W),
        ("двое суток", 48, Unit.HOUR, C),
        ("в течение трех суток", 72, Unit.HOUR, C),
        ("в течение суток", 24, Unit.HOUR, C),
        ("не позднее, чем через 4 часа", 4, Unit.HOUR, C),
    ],
)
def test_numbers_in_words_and_twice(text: str, amount: int, unit: Unit, working: bool) -> None:
    assert parse_deadline(text) == DeadlineSpec(amount, unit, working)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2 (трёх) дней", "цифрами 2, а словами «трех» — это 3; пишите «2 (двух)»"),
        ("24 (двадцать пять) часов", "это 25; пишите «24 (двадцать четыре)»"),
        ("2 (два-три) дня", "в скобках ожидается то же число словами"),
        ("2 (2) дня", "в скобках ожидается то же число словами"),
        ("8 часов (рабочих)", "в скобках ожидается то же число словами"),
        ("двадцать двенадцать часов", "непонятное слово «двенадцать»"),
    ],
)
def test_number_disagreements_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(DeadlineSpecError) as caught:
        parse_deadline(text)
    assert reason in str(caught.value)
    assert "Принимаются" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "не позднее следующего рабочего дня",
        "до конца следующего рабочего дня",
        "в течение следующего рабочего дня",
        "на следующий рабочий день",
    ],
)
def test_next_working_day(text: str) -> None:
    assert parse_deadline(text) == DeadlineSpec(1, Unit.END_OF_NEXT_WORKING_DAY, W)


def test_next_working_day_after_the_event() -> None:
    spec = parse_deadline("не позднее рабочего дня, следующего за днем регистрации обращения")
    assert spec == DeadlineSpec(
        1, Unit.END_OF_NEXT_WORKING_DAY, W, from_phrase="регистрации обращения"
    )
    assert spec.describe() == "не позднее рабочего дня, следующего за днем регистрации обращения"
    calendar_day = parse_deadline("не позднее дня, следующего за днём поступления")
    assert calendar_day == DeadlineSpec(1, Unit.DAY, C, from_phrase="поступления")


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("8 рабочих часов с момента поступления", "поступления"),
        ("8 рабочих часов с момента получения", "получения"),
        ("5 рабочих дней со дня регистрации", "регистрации"),
        ("30 минут после получения ответа", "получения ответа"),
        ("5 рабочих дней с даты регистрации", "регистрации"),
        ("5 рабочих дней, считая со дня регистрации", "регистрации"),
        ("в течение рабочего дня с момента поступления", "поступления"),
        ("8 часов с момента поступления в период служебного времени", "поступления"),
    ],
)
def test_the_event_a_term_runs_from_is_kept(text: str, event: str) -> None:
    assert parse_deadline(text).from_phrase == event


def test_a_working_tail_after_the_event_still_makes_working_hours() -> None:
    spec = parse_deadline("8 часов с момента поступления в период служебного времени")
    assert spec == DeadlineSpec(8, Unit.HOUR, W, from_phrase="поступления")


@pytest.mark.parametrize(
    ("text", "spec", "described"),
    [
        (
            "не позднее чем за 4 часа до истечения срока, указанного в п. 8",
            DeadlineSpec(4, Unit.HOUR, C, before=True, anchor_phrase="срока, указанного в п. 8"),
            "за 4 часа до истечения срока, указанного в п. 8",
        ),
        (
            "за 2 рабочих часа до окончания срока ответа",
            DeadlineSpec(2, Unit.HOUR, W, before=True, anchor_phrase="срока ответа"),
            "за 2 рабочих часа до истечения срока ответа",
        ),
        (
            "за 1 рабочую минуту до истечения срока",
            DeadlineSpec(1, Unit.MINUTE, W, before=True, anchor_phrase="срока"),
            "за 1 рабочую минуту до истечения срока",
        ),
        (
            "не позднее чем за 2 рабочих дня до истечения срока публикации",
            DeadlineSpec(2, Unit.DAY, W, before=True, anchor_phrase="срока публикации"),
            "за 2 рабочих дня до истечения срока публикации",
        ),
    ],
)
def test_terms_before_another_deadline(text: str, spec: DeadlineSpec, described: str) -> None:
    assert parse_deadline(text) == spec
    assert spec.describe() == described
    assert parse_deadline(described) == spec


@pytest.mark.parametrize(
    "text", ["за 4 часа", "за 4 часа до истечения", "за рабочий день до срока"]
)
def test_a_term_before_needs_its_anchor_and_a_number(text: str) -> None:
    with pytest.raises(DeadlineSpecError, match="Принимаются"):
        parse_deadline(text)


def test_within_the_working_day_keeps_its_reading_and_offers_two() -> None:
    assert parse_deadline("в течение рабочего дня").unit is Unit.END_OF_WORKING_DAY
    readings = deadline_readings("В течение рабочего дня")
    assert [r.text for r in readings] == ["до конца текущего рабочего дня", "1 рабочий день"]
    assert all(isinstance(r, Reading) and r.gloss for r in readings)
    same_day, one_day = (parse_deadline(r.text) for r in readings)
    assert same_day.unit is Unit.END_OF_WORKING_DAY
    assert one_day == DeadlineSpec(1, Unit.DAY, W)


@pytest.mark.parametrize(
    "text",
    [
        "незамедлительно",
        "Немедленно",
        "безотлагательно",
        "оперативно",
        "в кратчайший срок",
        "в кратчайшие сроки",
        "в течение дня",
        "незамедлительно с момента поступления",
    ],
)
def test_words_without_a_reading_of_their_own(text: str) -> None:
    readings = deadline_readings(text)
    assert len(readings) >= 2
    for reading in readings:
        parse_deadline(reading.text)  # every offered reading is itself a readable deadline
    with pytest.raises(DeadlineSpecError) as caught:
        parse_deadline(text)
    message = str(caught.value)
    assert "таблица сроков регламента" in message and f"«{readings[0].text}»" in message
    assert "Принимаются" in message and "PT8H" in message


@pytest.mark.parametrize("text", ["8 рабочих часов", "2 часа", "в течение суток", "PT8H", ""])
def test_unambiguous_texts_have_no_readings(text: str) -> None:
    assert deadline_readings(text) == ()


def test_a_period_is_not_a_deadline() -> None:
    with pytest.raises(DeadlineSpecError, match="периодичность"):
        parse_deadline("ежемесячно")


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (DeadlineSpec(1, Unit.END_OF_NEXT_WORKING_DAY, W), "не позднее следующего рабочего дня"),
        (
            DeadlineSpec(3, Unit.MINUTE, W, before=True, anchor_phrase="срока"),
            "за 3 рабочие минуты до истечения срока",
        ),
        (
            DeadlineSpec(21, Unit.SECOND, C, before=True, anchor_phrase="срока"),
            "за 21 секунду до истечения срока",
        ),
        (
            DeadlineSpec(1, Unit.HOUR, W, from_phrase="поступления"),
            "1 рабочий час с момента поступления",
        ),
        (
            DeadlineSpec(1, Unit.DAY, C, from_phrase="получения"),
            "1 календарный день со дня получения",
        ),
    ],
)
def test_describes_new_forms_in_correct_russian(spec: DeadlineSpec, text: str) -> None:
    assert spec.describe() == text
    assert parse_deadline(text) == spec


def test_accepted_forms_list_the_new_language() -> None:
    with pytest.raises(DeadlineSpecError) as caught:
        parse_deadline("скоро")
    message = str(caught.value)
    for form in ("«2 (двух) рабочих дней»", "«не позднее следующего рабочего дня»", "за 4 часа"):
        assert form in message
    assert "с момента поступления" in message
