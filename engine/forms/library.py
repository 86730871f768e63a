"""The form library (library.yaml) and a version's forms: the library overlaid by forms.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from engine.forms.declaration import declare, read_declaration
from engine.forms.spec import FormSpec

LIBRARY_FILE = Path(__file__).resolve().parent / "library.yaml"
FORMS_FILE = "forms.yaml"  # beside the BPMN file of a version


@cache
def library() -> dict[str, FormSpec]:
    """The library's forms by key (declared data, read once)."""
    return declare(read_declaration(LIBRARY_FILE.read_bytes(), "library.yaml"))


def library_keys() -> list[str]:
    """The keys of the library's forms."""
    return sorted(library())


def declared_in(forms_yaml: bytes | str) -> dict[str, FormSpec]:
    """The forms a version's forms.yaml declares (each may extend a library form)."""
    return declare(read_declaration(forms_yaml, FORMS_FILE), library())


def version_declaration(forms_yaml: bytes | str | None) -> dict[str, FormSpec]:
    """Every form a version may name: the library's, replaced or extended by its forms.yaml."""
    return {**library(), **(declared_in(forms_yaml) if forms_yaml is not None else {})}
