"""Which column of an export holds which field of a message: built-in defaults and settings.

Neither ИМ nor ПОС publishes an export format, so the columns are settings: the YAML file named
by `REGLAMENT_IMPORT_MAPPINGS`, shaped `{municipality: {mapping name: mapping}}`; a
municipality's mapping named `default` is used when none is chosen. The built-in mappings
(`incident_manager`, `feedback_platform`) are documented in docs/channels.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAPPINGS_VARIABLE = "REGLAMENT_IMPORT_MAPPINGS"
FIELDS = (
    "external_id",
    "received_at",
    "author",
    "author_id",
    "text",
    "url",
    "channel",
    "thread_id",
)
REQUIRED = ("external_id", "received_at", "author", "text")
DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
CHANNEL_WORDS = {
    "комментарий": "comment",
    "comment": "comment",
    "личное сообщение": "private",
    "личные сообщения": "private",
    "private": "private",
    "публикация": "feed",
    "пост": "feed",
    "лента": "feed",
    "feed": "feed",
}


class MappingError(ValueError):
    """A mapping that cannot be used, naming what is wrong."""


@dataclass(frozen=True)
class ColumnMapping:
    """The columns of one kind of export and the source its rows come from."""

    name: str
    source: str
    columns: Mapping[str, str]  # message field → column header
    date_formats: tuple[str, ...] = DATE_FORMATS
    channel: str = "feed"  # when the export has no channel column
    channel_words: Mapping[str, str] = field(default_factory=lambda: CHANNEL_WORDS)


INCIDENT_MANAGER = ColumnMapping(
    name="incident_manager",
    source="incident_manager",
    columns={
        "external_id": "Номер инцидента",
        "received_at": "Дата создания",
        "author": "Автор",
        "author_id": "Профиль автора",
        "text": "Текст",
        "url": "Ссылка",
        "channel": "Тип",
    },
)
FEEDBACK_PLATFORM = ColumnMapping(
    name="feedback_platform",
    source="feedback_platform",
    columns={
        "external_id": "Номер обращения",
        "received_at": "Дата поступления",
        "author": "Заявитель",
        "author_id": "ID заявителя",
        "text": "Текст обращения",
        "url": "Ссылка",
    },
)
BUILT_IN = {mapping.name: mapping for mapping in (INCIDENT_MANAGER, FEEDBACK_PLATFORM)}
DEFAULT = INCIDENT_MANAGER.name


def find_mapping(
    municipality: str, name: str | None = None, environ: Mapping[str, str] | None = None
) -> ColumnMapping:
    """The chosen mapping: the municipality's own, else a built-in one."""
    configured = _configured(environ if environ is not None else os.environ).get(municipality, {})
    wanted = name or ("default" if "default" in configured else DEFAULT)
    if wanted in configured:
        return _parse(wanted, configured[wanted])
    if wanted in BUILT_IN:
        return BUILT_IN[wanted]
    known = sorted({*configured, *BUILT_IN})
    raise MappingError(f"Нет сопоставления колонок «{wanted}»; есть: {', '.join(known)}.")


def mapping_names(municipality: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The mappings a municipality can choose from."""
    configured = _configured(environ if environ is not None else os.environ).get(municipality, {})
    return sorted({*configured, *BUILT_IN})


def _configured(environ: Mapping[str, str]) -> dict[str, Any]:
    path = environ.get(MAPPINGS_VARIABLE)
    if not path:
        return {}
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise MappingError(f"{path}: {error}") from error
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise MappingError(f"{path}: ожидается {{муниципалитет: {{имя: сопоставление}}}}")
    return raw


def _parse(name: str, raw: Any) -> ColumnMapping:
    if not isinstance(raw, dict):
        raise MappingError(f"{name}: ожидается словарь (source, columns).")
    source, columns = raw.get("source"), raw.get("columns")
    if not isinstance(source, str) or not source:
        raise MappingError(
            f"{name}.source: укажите источник (incident_manager, feedback_platform)."
        )
    if not isinstance(columns, dict):
        raise MappingError(f"{name}.columns: ожидается {{поле: заголовок колонки}}.")
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise MappingError(
            f"{name}.columns: неизвестные поля {', '.join(unknown)}; есть: {', '.join(FIELDS)}."
        )
    missing = [item for item in REQUIRED if not columns.get(item)]
    if missing:
        raise MappingError(f"{name}.columns: нужны колонки для {', '.join(missing)}.")
    formats = raw.get("date_formats") or DATE_FORMATS
    words = {
        **CHANNEL_WORDS,
        **{str(k).lower(): str(v) for k, v in (raw.get("channel_words") or {}).items()},
    }
    return ColumnMapping(
        name=name,
        source=source,
        columns={str(k): str(v) for k, v in columns.items()},
        date_formats=tuple(str(item) for item in formats),
        channel=str(raw.get("channel", "feed")),
        channel_words=words,
    )
