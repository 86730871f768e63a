"""What a new version changes, in legal terms: steps, deadlines, forms, roles, flows, settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import yaml

from engine.bpmn.catalog import NS, parse_xml
from engine.models import ProcessVersion

# Russian names of element kinds as a lawyer reads them (BPMN type → noun).
KIND_NAMES = {
    "userTask": "Шаг",
    "manualTask": "Шаг",
    "task": "Шаг",
    "scriptTask": "Автоматический шаг",
    "serviceTask": "Автоматический шаг",
    "businessRuleTask": "Автоматический шаг",
    "sendTask": "Автоматический шаг",
    "receiveTask": "Ожидание",
    "subProcess": "Подпроцесс",
    "callActivity": "Подпроцесс",
    "exclusiveGateway": "Развилка",
    "inclusiveGateway": "Развилка",
    "parallelGateway": "Развилка",
    "eventBasedGateway": "Развилка",
}
RULE_PARTS = ("from", "steps", "until", "when", "shortened_by", "responsible", "notify", "pause")


@dataclass(frozen=True)
class Change:
    """One change between two versions, with the element it concerns."""

    section: str  # steps, deadlines, forms, roles, flows, settings
    change: str  # added, removed, renamed, changed
    text: str  # the change as a sentence, in Russian
    element_id: str | None = None
    old: Any = None
    new: Any = None
    clause: str | None = None


@dataclass(frozen=True)
class VersionDiff:
    """Every change from version `old` to version `new`."""

    municipality: str
    old: str
    new: str
    changes: tuple[Change, ...]

    def as_json(self) -> dict[str, Any]:
        """The diff for --json and the web page."""
        return {
            "municipality": self.municipality,
            "from": self.old,
            "to": self.new,
            "changes": [asdict(change) for change in self.changes],
        }

    def element_ids(self, change: str) -> set[str]:
        """Ids of elements added, removed or changed (bpmn-js marks them)."""
        return {c.element_id for c in self.changes if c.change == change and c.element_id}


def diff_versions(old: ProcessVersion, new: ProcessVersion) -> VersionDiff:
    """The legal change list from `old` to `new` (two versions of one municipality)."""
    changes = [
        *_steps(old.catalog, new.catalog),
        *_deadlines(old, new),
        *_forms(old.forms, new.forms),
        *_roles(old.catalog, new.catalog),
        *_flows(old, new),
        *_settings(old.settings_yaml, new.settings_yaml),
    ]
    return VersionDiff(old.municipality, old.label, new.label, tuple(changes))


# The ending a past participle takes after the noun (шаг добавлен, развилка добавлена).
ENDINGS = {"Развилка": "а", "Событие": "о", "Ожидание": "о"}


def _noun(element: dict[str, Any]) -> str:
    return KIND_NAMES.get(element["type"], "Событие")


def _done(element: dict[str, Any], participle: str) -> str:
    return participle + ENDINGS.get(_noun(element), "")


def _clause(element: dict[str, Any]) -> str | None:
    return ", ".join(element.get("clauses") or []) or None


def _steps(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = old["elements"], new["elements"]
    changes = []
    for key in sorted(after.keys() - before.keys()):
        element = after[key]
        text = f"{_noun(element)} «{element['name'] or key}» {_done(element, 'добавлен')}"
        changes.append(Change("steps", "added", text, key, None, element["name"], _clause(element)))
    for key in sorted(before.keys() - after.keys()):
        element = before[key]
        text = f"{_noun(element)} «{element['name'] or key}» {_done(element, 'удалён')}"
        changes.append(
            Change("steps", "removed", text, key, element["name"], None, _clause(element))
        )
    for key in sorted(before.keys() & after.keys()):
        changes += _element_changes(before[key], after[key])
    return changes


def _element_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    key, clause, changes = new["id"], _clause(new), []
    if (old["name"] or "") != (new["name"] or ""):
        text = f"{_noun(new)} {_done(new, 'переименован')}: «{old['name']}» → «{new['name']}»"
        changes.append(Change("steps", "renamed", text, key, old["name"], new["name"], clause))
    if old.get("lane") != new.get("lane"):
        text = f"{_noun(new)} «{new['name'] or key}» {_done(new, 'передан')} другой роли"
        changes.append(
            Change("roles", "changed", text, key, old.get("lane"), new.get("lane"), clause)
        )
    old_form, new_form = old["properties"].get("form"), new["properties"].get("form")
    if old_form != new_form:
        text = f"{_noun(new)} «{new['name'] or key}»: форма «{old_form}» → «{new_form}»"
        changes.append(Change("forms", "changed", text, key, old_form, new_form, clause))
    if (old.get("timer") or {}) != (new.get("timer") or {}):
        before, after = (
            (old.get("timer") or {}).get("expression"),
            (new.get("timer") or {}).get("expression"),
        )
        text = f"Таймер «{new['name'] or key}»: {before} → {after}"
        changes.append(Change("deadlines", "changed", text, key, before, after, clause))
    return changes


def _deadlines(old: ProcessVersion, new: ProcessVersion) -> list[Change]:
    before = (old.deadline_table or {}).get("deadlines", {})
    after = (new.deadline_table or {}).get("deadlines", {})
    changes = []
    for name in sorted(after.keys() - before.keys()):
        row = after[name]
        text = f"Срок «{name}» добавлен: {row['text']} ({row['clause']})"
        changes.append(
            Change("deadlines", "added", text, _row_element(row), None, row["text"], row["clause"])
        )
    for name in sorted(before.keys() - after.keys()):
        row = before[name]
        text = f"Срок «{name}» удалён: был {row['text']} ({row['clause']})"
        changes.append(
            Change(
                "deadlines", "removed", text, _row_element(row), row["text"], None, row["clause"]
            )
        )
    for name in sorted(before.keys() & after.keys()):
        changes += _row_changes(name, before[name], after[name])
    return changes


def _row_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    element, clause, changes = _row_element(new), new["clause"], []
    if old["text"] != new["text"]:
        text = f"Срок «{name}» ({clause}): «{old['text']}» → «{new['text']}»"
        changes.append(
            Change("deadlines", "changed", text, element, old["text"], new["text"], clause)
        )
    if old["clause"] != new["clause"]:
        text = f"Срок «{name}»: пункт «{old['clause']}» → «{new['clause']}»"
        changes.append(
            Change("deadlines", "changed", text, element, old["clause"], new["clause"], clause)
        )
    for part in RULE_PARTS:
        if old.get(part) != new.get(part):
            text = f"Срок «{name}» ({clause}): изменено правило «{part}»"
            changes.append(
                Change("deadlines", "changed", text, element, old.get(part), new.get(part), clause)
            )
    return changes


def _row_element(row: dict[str, Any]) -> str | None:
    steps = row.get("steps") or []
    return str(steps[0]) if steps else None


def _forms(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    before, after = (old or {}).get("forms", {}), (new or {}).get("forms", {})
    changes = []
    for key in sorted(after.keys() - before.keys()):
        changes.append(Change("forms", "added", f"Форма «{after[key]['title']}» ({key}) добавлена"))
    for key in sorted(before.keys() - after.keys()):
        changes.append(
            Change("forms", "removed", f"Форма «{before[key]['title']}» ({key}) удалена")
        )
    for key in sorted(before.keys() & after.keys()):
        changes += _form_fields(key, before[key], after[key])
    return changes


def _form_fields(key: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = {field["name"]: field for field in old["fields"]}
    after = {field["name"]: field for field in new["fields"]}
    title, changes = new["title"], []
    for name in sorted(after.keys() - before.keys()):
        text = f"Форма «{title}»: поле «{after[name]['label']}» ({name}) добавлено"
        changes.append(Change("forms", "added", text, None, None, name))
    for name in sorted(before.keys() - after.keys()):
        text = f"Форма «{title}»: поле «{before[name]['label']}» ({name}) удалено"
        changes.append(Change("forms", "removed", text, None, name, None))
    for name in sorted(before.keys() & after.keys()):
        if before[name] != after[name]:
            text = f"Форма «{title}»: поле «{after[name]['label']}» ({name}) изменено"
            changes.append(Change("forms", "changed", text, None, before[name], after[name]))
    return changes


def _roles(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = old.get("lanes", {}), new.get("lanes", {})
    changes = []
    for key in sorted(after.keys() - before.keys()):
        text = f"Роль «{after[key]['name']}» ({key}) добавлена"
        changes.append(Change("roles", "added", text, key, None, after[key]["name"]))
    for key in sorted(before.keys() - after.keys()):
        text = f"Роль «{before[key]['name']}» ({key}) удалена"
        changes.append(Change("roles", "removed", text, key, before[key]["name"], None))
    for key in sorted(before.keys() & after.keys()):
        if before[key]["name"] != after[key]["name"]:
            text = f"Роль переименована: «{before[key]['name']}» → «{after[key]['name']}»"
            changes.append(
                Change("roles", "renamed", text, key, before[key]["name"], after[key]["name"])
            )
    return changes


def _flows(old: ProcessVersion, new: ProcessVersion) -> list[Change]:
    before, after = _flow_map(old.bpmn_xml), _flow_map(new.bpmn_xml)
    names = {key: item["name"] for key, item in old.catalog["elements"].items() if item["name"]}
    names.update(
        {key: item["name"] for key, item in new.catalog["elements"].items() if item["name"]}
    )
    changes = []
    for key in sorted(after.keys() - before.keys()):
        text = f"Переход {_flow_text(after[key], names)} добавлен"
        changes.append(Change("flows", "added", text, key, None, after[key]))
    for key in sorted(before.keys() - after.keys()):
        text = f"Переход {_flow_text(before[key], names)} удалён"
        changes.append(Change("flows", "removed", text, key, before[key], None))
    for key in sorted(before.keys() & after.keys()):
        if before[key] != after[key]:
            was, now = _flow_text(before[key], names), _flow_text(after[key], names)
            text = f"Переход изменён: {was} → {now}"
            changes.append(Change("flows", "changed", text, key, before[key], after[key]))
    return changes


def _flow_map(xml: str) -> dict[str, dict[str, str]]:
    root = parse_xml(xml.encode("utf-8"))
    flows = {}
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        condition = flow.find("bpmn:conditionExpression", NS)
        flows[flow.get("id", "")] = {
            "source": flow.get("sourceRef", ""),
            "target": flow.get("targetRef", ""),
            "name": flow.get("name") or "",
            "condition": (condition.text or "").strip() if condition is not None else "",
        }
    return flows


def _flow_text(flow: dict[str, str], names: dict[str, str]) -> str:
    named = f" («{flow['name']}»)" if flow["name"] else ""
    source = names.get(flow["source"], flow["source"])
    target = names.get(flow["target"], flow["target"])
    return f"«{source}» → «{target}»{named}"


def settings_changes(old: str | None, new: str | None) -> list[Change]:
    """What changes between two municipality.yaml texts, key by key."""
    return _settings(old, new)


def _settings(old: str | None, new: str | None) -> list[Change]:
    before, after = _yaml(old), _yaml(new)
    return [
        Change(
            "settings",
            "changed",
            f"Настройки municipality.yaml: «{key}» изменено",
            None,
            before.get(key),
            after.get(key),
        )
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def _yaml(text: str | None) -> dict[str, Any]:
    loaded = yaml.safe_load(text) if text else None
    return loaded if isinstance(loaded, dict) else {}
