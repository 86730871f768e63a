"""The timeliness report: per municipality and period, every figure with its cases."""

from engine.reports.build import build_report, period_bounds
from engine.reports.model import Cell, Filters, Report, Table

__all__ = ["Cell", "Filters", "Report", "Table", "build_report", "period_bounds"]
