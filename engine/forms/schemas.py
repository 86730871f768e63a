"""Messages shared with other marshmallow schemas of the engine (message intake).

The step forms themselves are declared data now: engine/forms/library.yaml.
"""

from __future__ import annotations

from typing import Any

REQUIRED: dict[str, Any] = {"required": "Обязательное поле.", "null": "Обязательное поле."}
