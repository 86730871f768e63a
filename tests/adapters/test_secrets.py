"""Channel secrets come from the environment or a secrets file outside git."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.secrets import SecretsFileError, channel_secret, variable_name


def test_the_environment_wins_over_the_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("perm: {vk: {confirmation: from-file, token: t1}}\n", encoding="utf-8")
    environ = {
        "REGLAMENT_SECRETS_FILE": str(secrets),
        variable_name("perm", "vk", "confirmation"): "from-env",
    }
    assert variable_name("perm", "vk", "confirmation") == "REGLAMENT_CHANNEL_PERM_VK_CONFIRMATION"
    assert channel_secret("perm", "vk", "confirmation", environ) == "from-env"
    assert channel_secret("perm", "vk", "token", environ) == "t1"
    assert channel_secret("perm", "telegram", "token", environ) is None
    assert channel_secret("perm", "vk", "token", {}) is None


def test_a_broken_secrets_file_is_refused_naming_it(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(SecretsFileError, match=r"secrets\.yaml"):
        channel_secret("perm", "vk", "token", {"REGLAMENT_SECRETS_FILE": str(secrets)})
