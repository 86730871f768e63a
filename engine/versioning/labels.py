"""Version labels in version order: v2 before v10."""

from __future__ import annotations

import re

_PARTS = re.compile(r"(\d+)")


def label_key(label: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key reading runs of digits as numbers («v10» after «v9»)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in _PARTS.split(label)
        if part
    )
