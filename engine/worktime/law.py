"""The Labour Code rules the production calendar follows (art. 95, art. 112)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Final

ONE_DAY = timedelta(days=1)
_NEW_YEAR = "Новогодние каникулы"
# Non-working public holidays of art. 112 part 1, (month, day) → name. Only these make the
# working day before them one hour shorter (art. 95); transferred days off do not.
ART_112: Final[dict[tuple[int, int], str]] = {
    **{(1, d): _NEW_YEAR for d in (1, 2, 3, 4, 5, 6, 8)},
    (1, 7): "Рождество Христово",
    (2, 23): "День защитника Отечества",
    (3, 8): "Международный женский день",
    (5, 1): "Праздник Весны и Труда",
    (5, 9): "День Победы",
    (6, 12): "День России",
    (11, 4): "День народного единства",
}
WEEKDAYS_RU = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


def is_art_112_date(day: date) -> bool:
    """True for a date that art. 112 part 1 makes a non-working public holiday."""
    return (day.month, day.day) in ART_112


def shortening_reason(
    day: date,
    is_public_holiday: Callable[[date], bool],
    donors: Mapping[date, date],
) -> str | None:
    """Why art. 95 shortens the working day `day`, or None when it is a full day."""
    # Shortened: the eve of a public holiday, or a weekend day worked in place of a weekday that
    # was itself such an eve (Saturday 1 November 2025 took over Monday 3 November, the eve of
    # 4 November; Минтруд counts it 7 hours). `donors` maps such a weekend day to that weekday.
    following = day + ONE_DAY
    if is_public_holiday(following):
        return f"канун праздника {following:%d.%m.%Y} ({ART_112[following.month, following.day]})"
    donor = donors.get(day)
    if donor is not None and donor.weekday() < 5 and is_public_holiday(donor + ONE_DAY):
        return (
            f"работа перенесена с {donor:%d.%m.%Y} ({WEEKDAYS_RU[donor.weekday()]}), "
            f"кануна праздника {donor + ONE_DAY:%d.%m.%Y}"
        )
    return None
