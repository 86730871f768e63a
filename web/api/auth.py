"""Bearer tokens on every API request: the token decides the one municipality it sees."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, g, request

from engine.access import Viewer
from engine.api_tokens import authenticate
from web import db
from web.api.problems import problem
from web.naming import API_ACTOR_PREFIX

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="reglament"'}


@dataclass(frozen=True)
class Integration:
    """The caller: a live token's id, name and municipality."""

    token_id: int
    name: str
    municipality: str

    @property
    def viewer(self) -> Viewer:
        """Read rights over the municipality's cases, as an overseer has."""
        return Viewer(
            user_id=0,
            login=f"{API_ACTOR_PREFIX}{self.name}",
            full_name=self.name,
            municipality=self.municipality,
            roles=frozenset({"administrator"}),
            departments=frozenset(),
            acts_for=frozenset(),
        )


def require_token() -> Response | None:
    """401 without a live bearer token; else the integration is `current()`."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return problem(401, "Передайте заголовок Authorization: Bearer <токен>.", headers=CHALLENGE)
    token = authenticate(db.session(), value.strip(), db.runtime().clock.now())
    if token is None:
        return problem(401, "Токен неизвестен или отозван.", headers=CHALLENGE)
    g.api_integration = Integration(token.id, token.name, token.municipality)
    return None


def current() -> Integration:
    """The authenticated integration of this request."""
    found: Integration = g.api_integration
    return found
