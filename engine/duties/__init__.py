"""Scheduled duties: processes a timer start event begins on the working calendar."""
