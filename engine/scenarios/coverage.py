"""Which clauses a version's scenarios leave unexercised."""

from __future__ import annotations

from collections import defaultdict

from engine.scenarios.runner import ScenarioResult


def uncovered_by_version(results: list[ScenarioResult]) -> dict[str, list[str]]:
    """Per version folder («perm/v1»): the clauses it cites that no scenario's trace exercised."""
    cited: dict[str, set[str]] = defaultdict(set)
    covered: dict[str, set[str]] = defaultdict(set)
    for result in results:
        version = f"{result.path.parent.parent.name}/{result.path.parent.name}"
        cited[version] |= result.cited
        covered[version] |= result.clauses
    return {version: sorted(cited[version] - covered[version]) for version in sorted(cited)}
