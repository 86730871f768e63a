"""Working time: the Russian production calendar, office hours and deadline arithmetic."""

from engine.worktime.calendar import Calendar, CalendarError
from engine.worktime.loader import clear_cache, load_calendar, municipality_file
from engine.worktime.official import OfficialCalendarError, OfficialYear
from engine.worktime.plural import plural
from engine.worktime.production import ProductionCalendar, YearStatus, production_calendar
from engine.worktime.readings import Reading, deadline_readings
from engine.worktime.remaining import RemainingTime, TrafficLight, remaining
from engine.worktime.settings import CalendarConfigError, CalendarSettings, DayHours
from engine.worktime.spec import DeadlineSpec, DeadlineSpecError, Unit, parse_deadline

__all__ = [
    "Calendar",
    "CalendarConfigError",
    "CalendarError",
    "CalendarSettings",
    "DayHours",
    "DeadlineSpec",
    "DeadlineSpecError",
    "OfficialCalendarError",
    "OfficialYear",
    "ProductionCalendar",
    "Reading",
    "RemainingTime",
    "TrafficLight",
    "Unit",
    "YearStatus",
    "clear_cache",
    "deadline_readings",
    "load_calendar",
    "municipality_file",
    "parse_deadline",
    "plural",
    "production_calendar",
    "remaining",
]
