"""Every scenario step key: importing this module registers them all."""

from engine.scenarios import (  # noqa: F401  (they register)
    actions,
    case_data,
    duty_expectations,
    expectations,
    ledger_expectations,
    linked_expectations,
)
from engine.scenarios.registry import ACTIONS, EXPECTATIONS

__all__ = ["ACTIONS", "EXPECTATIONS"]
