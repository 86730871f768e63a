"""Interface language and time zone: Russian, in the signed-in user's municipality's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, g, has_app_context
from flask_babel import Babel, get_timezone, get_translations

from engine.queries import municipality_settings
from engine.worktime import RemainingTime, TrafficLight
from web import db

DEFAULT_ZONE = "Europe/Moscow"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DATE_TIME = "dd.MM.yyyy HH:mm"
DATE = "dd.MM.yyyy"
SHORT_DATE_TIME = "dd.MM HH:mm"
# The three patterns above written by hand: Babel's pattern formatter cost a millisecond per
# 20 dates, and the task list prints two a row. Numbers only, so no locale data is needed.


def locale() -> str:
    """Every page is in Russian; a second language needs only a catalog and a choice here."""
    return "ru"


def zone() -> str:
    """The signed-in user's municipality's time zone."""
    user = g.get("user")
    if user is None:
        return DEFAULT_ZONE
    return municipality_settings(user.municipality, db.runtime().processes_dir).timezone


babel = Babel()


def gettext(string: str, **variables: object) -> str:
    """Flask-Babel's `gettext` on the request's catalog, looked up once a request."""
    found = _catalog().ugettext(string)
    return found % variables if variables else found


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """Flask-Babel's `ngettext` (`num` among the variables) on the request's catalog."""
    variables.setdefault("num", num)
    return _catalog().ungettext(singular, plural, num) % variables


def _catalog() -> NullTranslations:
    # The task list words the time left of 100 rows, three phrases each; Flask-Babel finds the
    # catalog again through four context lookups a phrase, which cost more than the wording.
    if not has_app_context():
        return get_translations()
    found: NullTranslations | None = g.get("i18n_catalog")
    if found is None:
        found = g.i18n_catalog = get_translations()
    return found


def init_app(app: Flask) -> None:
    """Wire Flask-Babel and the template filters for dates and remaining time."""
    babel.init_app(app, locale_selector=locale, timezone_selector=zone)
    # Templates' _() as Flask-Babel installs it, on the catalog kept for the request.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
    )
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(span, "span")
    app.add_template_filter(time_left, "time_left")
    app.add_template_filter(light_label, "light_label")
    app.add_template_filter(deadline_words, "deadline_words")
    app.add_template_filter(seconds_span, "seconds_span")


def when(moment: datetime | None) -> str:
    """A moment as 16.03.2026 10:00 in the municipality's zone."""
    if not moment:
        return "—"
    local = _local(moment)
    return f"{local.day:02d}.{local.month:02d}.{local.year:04d} {local.hour:02d}:{local.minute:02d}"


def day(moment: datetime | None) -> str:
    """A moment's date as 16.03.2026 in the municipality's zone."""
    if not moment:
        return "—"
    local = _local(moment)
    return f"{local.day:02d}.{local.month:02d}.{local.year:04d}"


def _local(moment: datetime) -> datetime:
    """A moment in the request's zone, as Babel rebases it (a naive one is in UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone_info = get_timezone()  # the zone selector's answer, kept for the request by Flask-Babel
    return moment.astimezone(zone_info) if zone_info is not None else moment


def span(duration: timedelta) -> str:
    """A duration as «2 ч 05 мин», or «3 дн 4 ч» past two days."""
    minutes = int(abs(duration).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return gettext("%(days)d d %(hours)d h", days=hours // 24, hours=hours % 24)
    if hours:
        return gettext("%(hours)d h %(minutes)02d min", hours=hours, minutes=minutes)
    return ngettext("%(num)d min", "%(num)d min", minutes)


def seconds_span(seconds: float) -> str:
    """A number of seconds as `span` writes durations."""
    return span(timedelta(seconds=seconds))


def time_left(left: RemainingTime | None) -> str:
    """Time left in the term's unit: «осталось 5 рабочих дней (до 08.12 18:00)», «2 ч 05 мин»."""
    # Never «просрочено на 0 мин»: a deadline just passed (or passed outside office hours) says
    # when it passed instead.
    if left is None:
        return gettext("no deadline")
    if left.state is TrafficLight.OVERDUE:
        return _overdue(left)
    if left.days:
        words = _days(left.days, left.working, late=False)
        return gettext("%(left)s (until %(due)s)", left=words, due=short_when(left.due_at))
    if left.left < timedelta(minutes=1):
        return gettext("no working time left (due %(due)s)", due=short_when(left.due_at))
    return gettext("%(time)s left", time=span(left.left))


def _overdue(left: RemainingTime) -> str:
    """How late a task is: in days for a day term a day past due, else hours and minutes."""
    if left.days:
        return _days(-left.days, left.working, late=True)
    if abs(left.left) < timedelta(minutes=1):
        return gettext("deadline passed %(due)s", due=short_when(left.due_at))
    return gettext("overdue by %(time)s", time=span(left.left))


def _days(days: int, working: bool, *, late: bool) -> str:
    """«осталось 5 рабочих дней», «остался 1 день», «просрочено на 2 рабочих дня»."""
    if late and working:
        return ngettext("overdue by %(num)d working day", "overdue by %(num)d working days", days)
    if late:
        return ngettext("overdue by %(num)d day", "overdue by %(num)d days", days)
    if working:
        return ngettext("%(num)d working day left", "%(num)d working days left", days)
    return ngettext("%(num)d day left", "%(num)d days left", days)


def short_when(moment: datetime | None) -> str:
    """A moment as 08.12 18:00 in the municipality's zone (the year goes without saying)."""
    if not moment:
        return "—"
    local = _local(moment)
    return f"{local.day:02d}.{local.month:02d} {local.hour:02d}:{local.minute:02d}"


def light_label(left: RemainingTime | None) -> str:
    """The traffic light in words, so colour is never the only signal."""
    if left is None:
        return gettext("no deadline")
    if left.state is TrafficLight.OVERDUE:
        return gettext("overdue")
    if left.state is TrafficLight.LOW:
        return gettext("under a quarter left")
    return gettext("on time")


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Compile each messages.po whose .mo is missing or older (`make assets` does the same)."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source)
        with mo_path.open("wb") as target:
            write_mo(target, catalog)


def deadline_words(left: RemainingTime | None) -> str:
    """The light and the time in one phrase: «в срок · осталось 2 ч 05 мин», «просрочено на …»."""
    if left is None or left.state is TrafficLight.OVERDUE:
        return time_left(left)
    return f"{light_label(left)} · {time_left(left)}"
