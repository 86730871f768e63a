"""Step forms in the browser: drawn from the version's declared forms, by field kind."""

from web.forms.labels import channel_label, source_label
from web.forms.renderer import flatten_errors, read_submission, render_form
from web.forms.widgets import WIDGETS, FieldView, Widget, register_widget

__all__ = [
    "WIDGETS",
    "FieldView",
    "Widget",
    "channel_label",
    "flatten_errors",
    "read_submission",
    "register_widget",
    "render_form",
    "source_label",
]
