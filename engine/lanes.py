"""Deploy check of a diagram's lanes against the municipality's roles (municipality.yaml)."""

from __future__ import annotations

from typing import Any

from engine.bpmn.parsing import DeployError
from engine.roles import RoleRegistry

# Steps a member of staff completes: each must sit in a lane, or no one may take it.
STAFF_STEPS = ("userTask", "manualTask")


def check_lanes(catalog: dict[str, Any], roles: RoleRegistry) -> None:
    """Refuse a lane no role acts in and a staff step outside every lane (in Russian)."""
    for lane in catalog["lanes"].values():
        if not roles.knows_lane(lane["id"]):
            raise DeployError(
                f"дорожка «{lane['name'] or lane['id']}» ({lane['id']}) не закреплена ни за одной "
                f"ролью муниципалитета (роли: {', '.join(roles.ids)}); объявите роль или "
                "добавьте дорожку к роли в municipality.yaml (roles, lanes)",
                lane["id"],
                element_name=lane["name"] or None,
            )
    for element in catalog["elements"].values():
        if element["type"] in STAFF_STEPS and element["lane"] is None:
            raise DeployError(
                f"шаг сотрудника «{element['name'] or element['id']}» ({element['id']}) не лежит "
                "ни в одной дорожке: никто не сможет его выполнить; поместите его в дорожку роли",
                element["id"],
                element_name=element["name"] or None,
            )
