"""Scenario files: whole regulations simulated on a virtual clock, with expectations."""

from engine.scenarios.loader import (
    Scenario,
    ScenarioFormatError,
    find_scenarios,
    load_scenario,
    processes_dir_of,
)
from engine.scenarios.registry import ScenarioFailure
from engine.scenarios.runner import ScenarioResult, run_file, run_scenario

__all__ = [
    "Scenario",
    "ScenarioFailure",
    "ScenarioFormatError",
    "ScenarioResult",
    "find_scenarios",
    "load_scenario",
    "processes_dir_of",
    "run_file",
    "run_scenario",
]
