"""Reglament's staff web application."""
