"""Step forms as data: the library and each version's forms.yaml, compiled to marshmallow."""

from engine.forms.compiler import FormError, VersionForms, compile_form
from engine.forms.kinds import KINDS, FormContext, Kind, register_kind
from engine.forms.library import (
    FORMS_FILE,
    declared_in,
    library,
    library_keys,
    version_declaration,
)
from engine.forms.spec import (
    FieldSpec,
    FormDeclarationError,
    FormSpec,
    forms_from_json,
    forms_to_json,
    provided_names,
)

__all__ = [
    "FORMS_FILE",
    "KINDS",
    "FieldSpec",
    "FormContext",
    "FormDeclarationError",
    "FormError",
    "FormSpec",
    "Kind",
    "VersionForms",
    "compile_form",
    "declared_in",
    "forms_from_json",
    "forms_to_json",
    "library",
    "library_keys",
    "provided_names",
    "register_kind",
    "version_declaration",
]
