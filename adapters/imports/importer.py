"""Rows of an export become messages: each checked, the good ones received, the bad ones listed.

The incident id is the message's external id, so importing the same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from adapters.channel import Context
from adapters.imports.files import Row
from adapters.imports.mapping import REQUIRED, ColumnMapping
from engine.incoming import CHANNELS
from engine.intake import DuplicateMessage, InvalidMessage, receive_message
from engine.queries import municipality_settings
from engine.versions import NoActiveVersion

FIELD_NAMES = {
    "external_id": "номер",
    "received_at": "дата",
    "author": "автор",
    "author_id": "профиль автора",
    "text": "текст",
    "url": "ссылка",
    "channel": "тип",
    "thread_id": "тема",
}


class RowError(ValueError):
    """A row that cannot become a message."""


@dataclass
class ImportReport:
    """What an import did: counts and each refused row with its reason."""

    imported: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    committed: bool = False

    @property
    def total(self) -> int:
        """Rows read."""
        return self.imported + self.already + len(self.errors)


def missing_columns(mapping: ColumnMapping, rows: list[Row]) -> list[str]:
    """Required columns the file's header lacks (checked once, before any row)."""
    if not rows:
        return []
    header = {_key(name) for row in rows[:1] for name in row.values}
    return [mapping.columns[name] for name in REQUIRED if _key(mapping.columns[name]) not in header]


def import_rows(
    context: Context,
    municipality: str,
    mapping: ColumnMapping,
    rows: Iterable[Row],
    *,
    actor: str,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Receive every good row; in one transaction when nothing may go in unless all do."""
    zone = ZoneInfo(municipality_settings(municipality, context.runtime.processes_dir).timezone)
    report = ImportReport()
    single = dry_run or all_or_nothing
    session = context.sessions()
    try:
        for row in rows:
            try:
                incoming = translate(row, mapping, municipality, zone)
            except RowError as error:
                report.errors.append((row.number, str(error)))
            else:
                _receive(context, session, incoming, actor, row, report, single)
            if progress:
                progress(1)
        keep = single and not dry_run and not (all_or_nothing and report.errors)
        if keep:
            session.commit()
            report.committed = True
        elif not single:
            report.committed = True
        else:
            session.rollback()
    finally:
        session.close()
    return report


def _receive(
    context: Context,
    session: Session,
    incoming: dict[str, Any],
    actor: str,
    row: Row,
    report: ImportReport,
    single: bool,
) -> None:
    """One row, in the import's transaction or (committed at once) in a transaction of its own.

    The engine refuses a bad or repeated row before it writes anything, so a refused row
    leaves nothing behind in the shared transaction. (No savepoint: pysqlite would commit
    a savepoint taken before the transaction's first write.)
    """
    try:
        receive_message(session, context.runtime, incoming, actor)
    except DuplicateMessage:
        report.already += 1
    except InvalidMessage as error:
        report.errors.append((row.number, _reasons(error.errors)))
    except NoActiveVersion as error:
        report.errors.append((row.number, str(error)))
    else:
        report.imported += 1
    if not single:
        session.commit()


def translate(
    row: Row, mapping: ColumnMapping, municipality: str, zone: ZoneInfo
) -> dict[str, Any]:
    """The row as an incoming message, or a RowError naming the column."""
    values = {_key(name): value for name, value in row.values.items()}
    found = {name: values.get(_key(column)) for name, column in mapping.columns.items()}
    for name in REQUIRED:
        if _blank(found.get(name)):
            raise RowError(f"колонка «{mapping.columns[name]}» ({FIELD_NAMES[name]}): пусто.")
    external_id = _text(found["external_id"])
    author = _text(found["author"])
    incoming: dict[str, Any] = {
        "municipality": municipality,
        "source": mapping.source,
        "external_id": external_id,
        "channel": _channel(found.get("channel"), mapping),
        "author": author,
        "author_id": _text(found.get("author_id")) or author,
        "text": _text(found["text"]),
        "received_at": _moment(found["received_at"], mapping, zone).isoformat(),
        # The thread is the incident: a repeat of the same incident joins its case.
        "thread_id": _text(found.get("thread_id")) or external_id,
        "payload": {"imported_from": mapping.name, "row": row.number},
    }
    url = _text(found.get("url"))
    if url:
        incoming["url"] = url
    return incoming


def _channel(value: Any, mapping: ColumnMapping) -> str:
    if _blank(value):
        return mapping.channel
    word = _text(value).lower()
    channel = mapping.channel_words.get(word, word)
    if channel not in CHANNELS:
        column = mapping.columns.get("channel", "")
        raise RowError(f"колонка «{column}» (тип): неизвестный тип «{_text(value)}».")
    return channel


def _moment(value: Any, mapping: ColumnMapping, zone: ZoneInfo) -> datetime:
    """A date of the export; one without a zone is the municipality's local time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        moment = _parsed(_text(value), mapping)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _parsed(text: str, mapping: ColumnMapping) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in mapping.date_formats:
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007  (the zone is added after)
        except ValueError:
            continue
    column = mapping.columns["received_at"]
    raise RowError(f"колонка «{column}» (дата): не дата «{text}» (например 16.03.2026 10:00).")


def _reasons(errors: dict[str, Any]) -> str:
    parts = []
    for name, messages in errors.items():
        texts = messages if isinstance(messages, list) else [messages]
        label = FIELD_NAMES.get(name, name)
        parts.append(f"{label}: {' '.join(str(text) for text in texts)}")
    return "; ".join(parts)


def _key(name: Any) -> str:
    return " ".join(str(name).split()).lower()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps a number id as 1234.0
    return str(value).strip()
