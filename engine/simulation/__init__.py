"""What-if runs of a regulation version on a message stream with a staffing model."""

from engine.simulation.api import simulate, version_bpmn
from engine.simulation.model import SimulationInputError

__all__ = ["SimulationInputError", "simulate", "version_bpmn"]
