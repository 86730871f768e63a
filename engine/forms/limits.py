"""Fields checked against the case: a date no later than a deadline or a moment in the case.

A form alone cannot know a case's deadlines, so `not_after` is checked when a task completes,
with the limit the engine resolves for that case (engine/ledger/promises.py). Perm 3.6: the date
promised in an intermediate answer may not lie after the extended deadline of the final one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.forms.compiler import FormError
from engine.forms.conditions import evaluate
from engine.forms.kinds import KINDS, Say
from engine.forms.spec import FormSpec, is_empty

# {deadline: name} or {data: name} → the limit in this case, or None when it has none yet.
LimitOf = Callable[[Mapping[str, Any]], datetime | None]


def check_limits(
    form: FormSpec, values: Mapping[str, Any], limit_of: LimitOf, zone: ZoneInfo
) -> None:
    """FormError naming each field whose value lies after its limit in this case."""
    errors: dict[str, list[str]] = {}
    for spec in form.fields:
        value = values.get(spec.name)
        if not spec.not_after or is_empty(value):
            continue
        source = next(
            (item for item in spec.not_after if "if" not in item or evaluate(item["if"], values)),
            None,
        )
        if source is None:
            continue  # no limit applies to these values
        limit = limit_of(source)
        if limit is None:
            continue  # nothing to hold it against (the case has no such moment)
        kind = KINDS[spec.kind]
        shown = kind.later_than(value, limit, zone)
        if shown is not None:
            errors[spec.name] = [Say(kind, spec)("not_after", limit=shown)]
    if errors:
        raise FormError(form.key, errors)
