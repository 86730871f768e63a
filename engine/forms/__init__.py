"""Step forms: one marshmallow schema per form key, shared by the web UI, CLI and scenarios."""

from engine.forms.registry import FORMS, FormError, form_schema, register_form, validate_form

__all__ = ["FORMS", "FormError", "form_schema", "register_form", "validate_form"]

from engine.forms import schemas as _schemas  # noqa: F401  (registers the built-in forms)
