"""Channel secrets per municipality: from the environment or a secrets file kept outside git.

A secret is named by municipality, channel and name, e.g. ("perm", "vk", "confirmation"):
- the environment variable `REGLAMENT_CHANNEL_PERM_VK_CONFIRMATION` wins;
- else the YAML file named by `REGLAMENT_SECRETS_FILE`, shaped `{perm: {vk: {confirmation: ...}}}`.
Nothing in `processes/` (which is in git) ever holds a secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

SECRETS_FILE_VARIABLE = "REGLAMENT_SECRETS_FILE"
_SAFE = re.compile(r"[^A-Z0-9]+")


class SecretsFileError(ValueError):
    """A secrets file that cannot be read, naming the file and the problem."""


def variable_name(municipality: str, channel: str, name: str) -> str:
    """The environment variable holding one secret."""
    parts = (municipality, channel, name)
    return "REGLAMENT_CHANNEL_" + "_".join(_SAFE.sub("_", part.upper()) for part in parts)


def channel_secret(
    municipality: str,
    channel: str,
    name: str,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """One secret of a municipality's channel, or None when it is not configured."""
    environ = os.environ if environ is None else environ
    value = environ.get(variable_name(municipality, channel, name))
    if value:
        return value
    path = environ.get(SECRETS_FILE_VARIABLE)
    if not path:
        return None
    found = _read(Path(path)).get(municipality, {}).get(channel, {}).get(name)
    return str(found) if found not in (None, "") else None


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SecretsFileError(f"{path}: {error}") from error
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise SecretsFileError(f"{path}: expected {{municipality: {{channel: {{name: value}}}}}}")
    return raw
