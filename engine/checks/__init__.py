"""Deploy checks of a version's files, one registered function each, with Russian problems."""

from pathlib import Path

# Importing the modules registers their checks (each names its stage: structure runs first).
from engine.checks import (
    deadlines,  # noqa: F401
    names,  # noqa: F401
    structure,  # noqa: F401
)
from engine.checks.context import CheckContext, build_context, describe
from engine.checks.registry import (
    CHECKS,
    ChecksRefused,
    Problem,
    refuse,
    register_check,
    run_checks,
)


def check_version(
    xml: bytes,
    forms_yaml: bytes | None,
    deadlines_yaml: bytes | None,
    municipality: str,
    processes_dir: Path,
) -> list[Problem]:
    """Every problem of a version's files, by every registered check."""
    built = build_context(xml, forms_yaml, deadlines_yaml, municipality, processes_dir)
    return built if isinstance(built, list) else run_checks(built)


__all__ = [
    "CHECKS",
    "CheckContext",
    "ChecksRefused",
    "Problem",
    "build_context",
    "check_version",
    "describe",
    "refuse",
    "register_check",
    "run_checks",
]
