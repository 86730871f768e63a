"""A municipality's settings as the pages need them (title, departments)."""

from __future__ import annotations

from engine.queries import municipality_settings
from web import db


def department_choices(municipality: str) -> list[tuple[str, str]]:
    """(id, name) of the municipality's departments (none listed: the form asks for ids)."""
    settings = municipality_settings(municipality, db.runtime().processes_dir)
    return [(department.id, department.name) for department in settings.departments]


def title(municipality: str) -> str:
    """The municipality's name as its people write it."""
    return municipality_settings(municipality, db.runtime().processes_dir).title
