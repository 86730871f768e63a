"""Working time: the Russian production calendar, office hours and deadline arithmetic."""

from engine.worktime.calendar import Calendar, CalendarError
from engine.worktime.loader import clear_cache, load_calendar, municipality_file
from engine.worktime.plural import plural
from engine.worktime.production import ProductionCalendar, production_calendar
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
    "ProductionCalendar",
    "RemainingTime",
    "TrafficLight",
    "Unit",
    "clear_cache",
    "load_calendar",
    "municipality_file",
    "parse_deadline",
    "plural",
    "production_calendar",
    "remaining",
]
