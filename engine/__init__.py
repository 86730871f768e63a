"""Reglament's regulation engine: BPMN versions, instances, deadlines and the scheduler."""
