"""Regulation versions for administrators: order, activation, diff, migration (README.md)."""
