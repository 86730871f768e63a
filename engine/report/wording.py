"""Russian words for the regulation report: moments, element kinds, how a term is counted."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.roles import DEFAULT_ROLES

WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
ELEMENT_KINDS = {
    "userTask": "шаг сотрудника",
    "manualTask": "шаг сотрудника",
    "scriptTask": "автоматический шаг",
    "serviceTask": "автоматический шаг",
    "businessRuleTask": "автоматический шаг",
    "sendTask": "отправка",
    "receiveTask": "ожидание ответа",
    "task": "шаг",
    "callActivity": "вызов процесса",
    "subProcess": "подпроцесс",
    "startEvent": "начало",
    "endEvent": "завершение",
    "intermediateCatchEvent": "ожидание события",
    "intermediateThrowEvent": "событие",
    "boundaryEvent": "таймер срока",
    "exclusiveGateway": "развилка",
    "inclusiveGateway": "развилка",
    "parallelGateway": "параллельные ветви",
    "eventBasedGateway": "развилка по событию",
}

# Roles a table may name without a lane in the diagram: today's (engine.roles).
ROLE_NAMES = {role.id: role.name for role in DEFAULT_ROLES}


def moment_words(moment: datetime) -> str:
    """«пятница, 13 марта 2026 г., 17:30 (UTC+3)» in the moment's own zone."""
    offset = moment.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
    zone = f"UTC{hours:+d}" + (f":{rest:02d}" if rest else "")
    return (
        f"{WEEKDAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} "
        f"{moment.year} г., {moment:%H:%M} ({zone})"
    )


def counted_words(working: bool) -> str:
    """How a term is counted, as the report says it."""
    if working:
        return "в рабочем времени: по графику работы и производственному календарю"
    return "в календарном времени: подряд, включая ночи, выходные и праздники"


def element_kind(element_type: str) -> str:
    """An element's kind in Russian."""
    return ELEMENT_KINDS.get(element_type, element_type)
