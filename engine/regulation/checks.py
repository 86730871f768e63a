"""Deploy checks of the deadline table against the diagram: every duty once, every name known."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from engine.accounts import ROLES
from engine.bpmn.catalog import BPMN_NS, NS
from engine.bpmn.parsing import DeployError
from engine.deadlines import deadline_names, literal_deadline_calls
from engine.municipalities import RegulationCalendar
from engine.regulation.table import HOLDER, DeadlineRule, DeadlineTable
from engine.regulation.terms import TermError, rule_spec
from engine.timers import is_deadline
from engine.worktime import DeadlineSpecError
from engine.worktime.readings import deadline_readings

STEP_TYPES = ("userTask", "manualTask", "subProcess", "callActivity")
NOTICE_TARGETS = frozenset({"responsible"})


def check_names(table: DeadlineTable, root: Any) -> None:
    """Before anything else: every `deadline("name")` of the diagram is a row of the table."""
    for element_id, source in _code_in(root):
        for name in deadline_names(source):
            if name not in table:
                problem = (
                    "срок назван по имени, а таблицы сроков по именам у версии нет"
                    if table.legacy
                    else f"в таблице сроков нет срока «{name}»"
                )
                raise DeployError(f'deadline("{name}"): {problem} (deadlines.yaml)', element_id)


def _code_in(root: Any) -> Iterator[tuple[str, str]]:
    """Timer expressions, conditions and scripts read straight from the XML."""
    for definition in root.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
        event = definition.getparent()
        for expression in definition:
            if (expression.text or "").strip():
                yield event.get("id"), expression.text
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            yield flow.get("id"), condition.text
    for task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        script = task.find("bpmn:script", NS)
        if script is not None and (script.text or "").strip():
            yield task.get("id"), script.text


def check_terms(table: DeadlineTable, reader: RegulationCalendar) -> None:
    """Every row's term reads as the row says it is counted (before the diagram is evaluated)."""
    for rule in table.rules.values():
        readings = deadline_readings(rule.text)
        if readings and not rule.reading:
            # «в течение рабочего дня», «незамедлительно»: the regulation must fix the reading.
            options = "; ".join(f"«{r.text}» — {r.gloss}" for r in readings)
            raise DeployError(
                f"срок «{rule.name}» ({rule.clause}): слова «{rule.text}» читаются по-разному — "
                f"укажите в таблице reading, например: {options}"
            )
        try:
            rule_spec(rule, reader)
            if rule.remind:
                reader.read(rule.remind.before)
        except (TermError, DeadlineSpecError) as error:
            raise DeployError(f"срок «{rule.name}» ({rule.clause}): {error}") from error


def check_table(
    table: DeadlineTable,
    catalog: dict[str, Any],
    root: Any,
    reader: RegulationCalendar,
    known_roles: Iterable[str] = ROLES,
) -> None:
    """Refuse a diagram and table that disagree, naming the element or the row (in Russian)."""
    if table.legacy:
        return
    for element_id, source in _code_in(root):
        if literal_deadline_calls(source):
            raise DeployError(
                "срок записан текстом в диаграмме, мимо таблицы сроков; "
                'назовите срок из deadlines.yaml: deadline("имя")',
                element_id,
            )
    used = _check_timers(table, catalog)
    elements = catalog["elements"]
    roles = set(catalog["lanes"]) | set(known_roles)
    for rule in table.rules.values():
        _check_rule(rule, elements, roles)
        if not rule.is_span and rule.name not in used:
            raise DeployError(
                f"срок «{rule.name}» ({rule.clause}) не назначен ни одному таймеру шага "
                f"{', '.join(rule.steps)}: строка таблицы не используется"
            )


def _check_timers(table: DeadlineTable, catalog: dict[str, Any]) -> set[str]:
    """Each timer names rows that bind its step; returns the names timers use."""
    used: set[str] = set()
    for element in catalog["elements"].values():
        if not element["timer"]:
            continue
        duty = is_deadline(catalog, element["id"])
        names = deadline_names(element["timer"]["expression"] or "")
        if not names and duty:
            raise DeployError(
                "таймер срока не называет срок из таблицы сроков: "
                'запишите выражение как deadline("имя")',
                element["id"],
            )
        for name in names:
            rule = table[name]
            if rule.is_duty != duty:
                raise DeployError(
                    f"срок «{name}» в таблице — {'срок ожидания' if duty else 'обязанность'}, "
                    f"а таймер {'на шаге сотрудника' if duty else 'не на шаге сотрудника'}: "
                    "укажите kind: wait для ожидания автора или поставьте таймер на шаг",
                    element["id"],
                )
            if element["attached_to"] not in rule.steps:
                raise DeployError(
                    f"срок «{name}» в таблице относится к шагам {', '.join(rule.steps) or '—'}, "
                    f"а таймер стоит на шаге «{element['attached_to']}»",
                    element["id"],
                )
            used.add(name)
    return used


def _check_rule(rule: DeadlineRule, elements: dict[str, Any], roles: set[str]) -> None:
    where = f"срок «{rule.name}» ({rule.clause})"
    for step in rule.steps:
        _require(elements, step, STEP_TYPES if rule.is_duty else None, f"{where}: шаг «{step}»")
    for step in rule.until:
        _require(elements, step, None, f"{where}: «until» — элемент «{step}»")
    for step in rule.known_at:
        _require(elements, step, None, f"{where}: «known_at» — элемент «{step}»")
    if rule.start.kind == "completed":
        _require(elements, rule.start.ref or "", None, f"{where}: «from» — шаг «{rule.start.ref}»")
    if rule.is_span and rule.start.kind == "step_opened":
        raise DeployError(f"{where}: срок от события до шага не может считаться от step_opened")
    for waiting in rule.pause.while_ if rule.pause else ():
        _require(elements, waiting, None, f"{where}: «pause.while» — элемент «{waiting}»")
    if rule.responsible not in (None, HOLDER) and rule.responsible not in roles:
        raise DeployError(f"{where}: «responsible» — неизвестная роль «{rule.responsible}»")
    recipients = list(rule.notify) + list(rule.remind.to if rule.remind else ())
    for role in recipients:
        if role not in roles and role not in NOTICE_TARGETS:
            raise DeployError(f"{where}: уведомление неизвестной роли «{role}»")


def _require(
    elements: dict[str, Any], element_id: str, types: tuple[str, ...] | None, what: str
) -> None:
    element = elements.get(element_id)
    if element is None:
        raise DeployError(f"{what}: нет такого элемента в диаграмме")
    if types is not None and element["type"] not in types:
        raise DeployError(f"{what}: ожидается шаг ({', '.join(types)})", element_id)
