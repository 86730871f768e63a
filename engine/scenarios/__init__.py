"""Scenario files: whole regulations simulated on a virtual clock, with expectations."""

from engine.scenarios.loader import Scenario, ScenarioFormatError, find_scenarios, load_scenario
from engine.scenarios.runner import ScenarioFailure, ScenarioResult, run_scenario

__all__ = [
    "Scenario",
    "ScenarioFailure",
    "ScenarioFormatError",
    "ScenarioResult",
    "find_scenarios",
    "load_scenario",
    "run_scenario",
]
