"""Change a deadline row's term in deadlines.yaml in place: one line changes, comments stay."""

from __future__ import annotations

import json
import re

from engine.drafts.store import DraftError

ROW = re.compile(r"^  ([A-Za-z_][\w-]*):\s*(#.*)?$")
TEXT = re.compile(r"^(    text:[ \t]*)(.*?)([ \t]+#.*)?$")
PLAIN = re.compile(r"^[^\s\"'#&*!|>%@`{}\[\],:-][^#:]*$")  # safe unquoted in YAML


def set_terms(table_yaml: str, terms: dict[str, str]) -> str:
    """The table with each named row's `text:` replaced; an unknown row is refused."""
    lines = table_yaml.split("\n")
    starts = {m[1]: number for number, line in enumerate(lines) if (m := ROW.match(line))}
    for name, term in terms.items():
        term = term.strip()
        if not term or "\n" in term:
            raise DraftError(f"Срок «{name}»: укажите срок одной строкой (например, «3 часа»).")
        if name not in starts:
            raise DraftError(f"В таблице сроков нет строки «{name}».")
        _replace(lines, starts[name], name, term)
    return "\n".join(lines)


def _replace(lines: list[str], start: int, name: str, term: str) -> None:
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.strip() and not line.startswith("   ") and not line.lstrip().startswith("#"):
            break  # the next row (or the next top-level key): this row has no text line
        found = TEXT.match(line)
        if found:
            if _value(found[2]) != term:
                value = term if PLAIN.match(term) else json.dumps(term, ensure_ascii=False)
                lines[number] = found[1] + value + (found[3] or "")
            return
    raise DraftError(f"Строка «{name}» таблицы сроков не содержит text: — измените её в файле.")


def _value(raw: str) -> str:
    if raw[:1] in "\"'":
        return raw[1:-1]
    return raw
