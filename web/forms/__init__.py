"""Step forms in the browser: rendered from the engine's schemas, labelled in Russian."""

from web.forms.help import form_help
from web.forms.labels import channel_label, choice_label, field_label, source_label
from web.forms.renderer import FieldView, flatten_errors, read_submission, render_form

__all__ = [
    "FieldView",
    "channel_label",
    "choice_label",
    "field_label",
    "flatten_errors",
    "form_help",
    "read_submission",
    "render_form",
    "source_label",
]
