"""Form data a simulated person submits: the model's decisions, then every field required."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from engine.forms import FieldSpec, FormError, VersionForms
from engine.forms.compiler import applies
from engine.simulation.model import SimulationInputError, Staff

SAMPLE_TEXT = "Здравствуйте! По вашему сообщению приняты меры, работы выполнены."
Filler = Callable[[FieldSpec, "Context"], Any]


class Context:
    """What a filler may read: the forms, the moment, the randomness, the staffing model."""

    def __init__(
        self, forms: VersionForms, key: str, now: datetime, rng: random.Random, staff: Staff
    ):
        self.forms, self.key, self.now, self.rng, self.staff = forms, key, now, rng, staff

    def choice_values(self, spec: FieldSpec) -> list[str]:
        return [value for value, _label in self.forms.choices(self.key, spec.name)]


def _text(spec: FieldSpec, _context: Context) -> str:
    return SAMPLE_TEXT.ljust(spec.min_length or 0, ".")


def _first(spec: FieldSpec, context: Context) -> Any:
    values = context.choice_values(spec)
    return spec.default if spec.default in values else (values[0] if values else None)


def _departments(spec: FieldSpec, context: Context) -> list[str]:
    known = context.choice_values(spec)
    weights = {d: w for d, w in context.staff.route_departments.items() if d in known}
    if weights:
        names = sorted(weights)
        return [context.rng.choices(names, weights=[weights[n] for n in names])[0]]
    return [context.rng.choice(known)] if known else []


SIMULATED_FILE = "0" * 64


def _date(spec: FieldSpec, context: Context) -> str:
    # A date bounded by the case (Perm 3.6's promised date) is promised for today, the earliest;
    # any other is two days on.
    days = 0 if spec.not_after else 2
    return (context.now + timedelta(days=days)).date().isoformat()


FILLERS: dict[str, Filler] = {
    "text": _text,
    "long_text": _text,
    "choice": _first,
    "multi_choice": lambda spec, context: context.choice_values(spec)[:1],
    "checklist": lambda spec, context: context.choice_values(spec),
    "department": lambda spec, context: next(iter(_departments(spec, context)), None),
    "departments": _departments,
    "datetime": lambda _spec, context: context.now.isoformat(),
    "date": lambda spec, context: _date(spec, context),
    "deadline_text": lambda _spec, _context: "1 рабочий день",
    "url": lambda _spec, _context: "https://example.org/simulation",
    "email": lambda _spec, _context: "simulation@example.org",
    "phone": lambda _spec, _context: "+7 900 000-00-00",
    "attachments": lambda _spec, _context: "https://example.org/photo.jpg",
    # A simulated case keeps no file: one hash stands for the photos a step requires.
    "files": lambda spec, _context: [SIMULATED_FILE] * int(spec.min or 1),
    "photos": lambda spec, _context: [SIMULATED_FILE] * int(spec.min or 1),
    "boolean": lambda _spec, _context: True,
    "number": lambda spec, _context: spec.min if spec.min is not None else 1,
}


def form_data(
    forms: VersionForms,
    key: str,
    now: datetime,
    rng: random.Random,
    staff: Staff,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Decisions drawn from the model, then each field that is required for them."""
    form = forms.form(key)
    context = Context(forms, key, now, rng, staff)
    data: dict[str, Any] = dict(overrides or {})
    for spec in form.fields:
        shares = staff.decisions.get(spec.name)
        if spec.name in data or not shares or spec.kind != "choice":
            continue
        allowed = [value for value in sorted(shares) if value in context.choice_values(spec)]
        if allowed:
            data[spec.name] = rng.choices(allowed, weights=[shares[v] for v in allowed])[0]
    for _ in range(3):  # a condition may name a field a condition filled
        for spec in form.fields:
            if spec.name not in data and applies(spec, data):
                data[spec.name] = FILLERS[spec.kind](spec, context)
    try:
        forms.validate(key, data)
    except FormError as error:
        raise SimulationInputError(
            f"форма «{key}»: смоделированные данные не принимаются: {error.errors}"
        ) from error
    return data
