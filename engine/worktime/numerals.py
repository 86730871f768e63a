"""Russian cardinal numbers in words, 1–999, in every case («двух», «двадцати четырех»)."""

from __future__ import annotations

from enum import IntEnum


class Case(IntEnum):
    """Grammatical cases a numeral takes in a deadline (accusative = nominative here)."""

    NOMINATIVE = 0
    GENITIVE = 1
    DATIVE = 2
    INSTRUMENTAL = 3
    PREPOSITIONAL = 4


def _same(nominative: str, oblique: str, instrumental: str) -> tuple[str, ...]:
    """Forms of numerals declined like «пять»: one oblique form and an instrumental."""
    return (nominative, oblique, oblique, instrumental, oblique)


def _hundreds(nom: str, gen: str, dat: str, ins: str, prep: str) -> tuple[str, ...]:
    return (nom, gen, dat, ins, prep)


_TEEN_STEMS = ("один", "две", "три", "четыр", "пят", "шест", "сем", "восем", "девят")

# value → (nominative, genitive, dative, instrumental, prepositional); «е» stands for «ё».
FORMS: dict[int, tuple[str, ...]] = {
    1: ("один", "одного", "одному", "одним", "одном"),
    2: ("два", "двух", "двум", "двумя", "двух"),
    3: ("три", "трех", "трем", "тремя", "трех"),
    4: ("четыре", "четырех", "четырем", "четырьмя", "четырех"),
    5: _same("пять", "пяти", "пятью"),
    6: _same("шесть", "шести", "шестью"),
    7: _same("семь", "семи", "семью"),
    8: _same("восемь", "восьми", "восемью"),
    9: _same("девять", "девяти", "девятью"),
    10: _same("десять", "десяти", "десятью"),
    **{
        11 + i: _same(f"{stem}надцать", f"{stem}надцати", f"{stem}надцатью")
        for i, stem in enumerate(_TEEN_STEMS)
    },
    20: _same("двадцать", "двадцати", "двадцатью"),
    30: _same("тридцать", "тридцати", "тридцатью"),
    40: ("сорок", "сорока", "сорока", "сорока", "сорока"),
    50: _same("пятьдесят", "пятидесяти", "пятьюдесятью"),
    60: _same("шестьдесят", "шестидесяти", "шестьюдесятью"),
    70: _same("семьдесят", "семидесяти", "семьюдесятью"),
    80: _same("восемьдесят", "восьмидесяти", "восемьюдесятью"),
    90: ("девяносто", "девяноста", "девяноста", "девяноста", "девяноста"),
    100: ("сто", "ста", "ста", "ста", "ста"),
    200: _hundreds("двести", "двухсот", "двумстам", "двумястами", "двухстах"),
    300: _hundreds("триста", "трехсот", "тремстам", "тремястами", "трехстах"),
    400: _hundreds("четыреста", "четырехсот", "четыремстам", "четырьмястами", "четырехстах"),
    500: _hundreds("пятьсот", "пятисот", "пятистам", "пятьюстами", "пятистах"),
    600: _hundreds("шестьсот", "шестисот", "шестистам", "шестьюстами", "шестистах"),
    700: _hundreds("семьсот", "семисот", "семистам", "семьюстами", "семистах"),
    800: _hundreds("восемьсот", "восьмисот", "восьмистам", "восемьюстами", "восьмистах"),
    900: _hundreds("девятьсот", "девятисот", "девятистам", "девятьюстами", "девятистах"),
}
# Feminine and plural forms of «один», «две», and the colloquial «восьмью».
_VARIANTS = {
    **dict.fromkeys(("одна", "одно", "одной", "одну", "одни", "одних", "одними"), 1),
    "две": 2,
    "восьмью": 8,
    "восьмьюдесятью": 80,
    "восьмьюстами": 800,
}
# Collective numerals, used alone with «сутки»: «двое суток», «в течение трех суток».
COLLECTIVE = {
    **dict.fromkeys(("двое", "двоих"), 2),
    **dict.fromkeys(("трое", "троих"), 3),
    **dict.fromkeys(("четверо", "четверых"), 4),
    **dict.fromkeys(("пятеро", "пятерых"), 5),
    **dict.fromkeys(("шестеро", "шестерых"), 6),
    **dict.fromkeys(("семеро", "семерых"), 7),
}
_VALUE = {form: value for value, forms in FORMS.items() for form in forms} | _VARIANTS


def _rank(value: int) -> int:
    """0 for hundreds, 1 for tens and teens, 2 for units: the order words must come in."""
    if value >= 100:
        return 0
    return 1 if value >= 10 else 2


def read_number(words: list[str]) -> tuple[int, int] | None:
    """The number spelled by the leading words and how many words it took, or None."""
    if words and words[0] in COLLECTIVE:
        return COLLECTIVE[words[0]], 1
    total, taken, last_rank = 0, 0, -1
    for word in words:
        value = _VALUE.get(word)
        if value is None or _rank(value) <= last_rank:
            break
        total += value
        taken += 1
        # 10–19 close the tens and units places; only units may follow «двадцать».
        last_rank = 2 if 10 <= value < 20 else _rank(value)
    if not taken:
        return None
    return total, taken


def spell(number: int, case: Case = Case.NOMINATIVE) -> str:
    """The number 1–999 in words in a case: spell(24, Case.GENITIVE) = «двадцати четырех»."""
    if not 1 <= number <= 999:
        raise ValueError(f"only 1..999 are spelled, got {number}")
    parts: list[int] = []
    hundreds, rest = divmod(number, 100)
    if hundreds:
        parts.append(hundreds * 100)
    if 10 <= rest < 20:
        parts.append(rest)
    else:
        tens, units = divmod(rest, 10)
        parts.extend(value for value in (tens * 10, units) if value)
    return " ".join(FORMS[value][case] for value in parts)
