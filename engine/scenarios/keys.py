"""Every scenario step key: importing this module registers them all."""

from engine.scenarios import actions, case_data, expectations  # noqa: F401  (they register)
from engine.scenarios.registry import ACTIONS, EXPECTATIONS

__all__ = ["ACTIONS", "EXPECTATIONS"]
