"""Benchmarks: figures and ratios printed by `python -m benchmarks`, never asserted."""
