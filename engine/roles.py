"""Staff roles of a municipality: who acts in which lanes and what each may see.

Today's roles are the defaults; `municipality.yaml` (`roles:`) may add its own (a deputy head who
approves) and give a default role more lanes (Chaykovsky's press service does the curator's work).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Visibility = Literal["all", "department", "own"]
VISIBILITIES: tuple[Visibility, ...] = ("all", "department", "own")
VISIBILITY_NAMES = {
    "all": "все задачи муниципалитета",
    "department": "задачи своего подразделения в своих дорожках",
    "own": "задачи своих дорожек",
}
# Administration is not a lane's work: the administrator may act on any task, and a substitute
# never inherits the role.
ADMINISTRATOR = "administrator"
# Legal staff edit the regulation's diagrams and deadline tables in the modeler (web/modeler.py):
# a role with no lane, so it never acts on a case.
LEGAL = "legal"

# What a role may do besides its lanes' tasks: the pages ask these, never a role's name.
NAME_SUBSTITUTES = "name_substitutes"  # name and end substitutes (Palana, п. 9)
ENTER_MESSAGES = "enter_messages"  # register a message found by hand (Palana, п. 8)
MANAGE_PEOPLE = "manage_people"  # the people pages: accounts, passwords, substitutions
ABILITIES = (NAME_SUBSTITUTES, ENTER_MESSAGES, MANAGE_PEOPLE)
ABILITY_NAMES = {
    NAME_SUBSTITUTES: "назначать заместителей",
    ENTER_MESSAGES: "вносить сообщения вручную",
    MANAGE_PEOPLE: "управлять учётными записями",
}


@dataclass(frozen=True)
class Role:
    """A staff role: its id, Russian name, the lanes it acts in, what it may see and do."""

    id: str
    name: str
    lanes: tuple[str, ...] = ()
    sees: Visibility = "own"
    may: frozenset[str] = frozenset()

    @property
    def all_lanes(self) -> tuple[str, ...]:
        """Its lanes: the one named by its id and those declared."""
        return (self.id, *(lane for lane in self.lanes if lane != self.id))


DEFAULT_ROLES = (
    Role("curator", "куратор", (), "all", frozenset({ENTER_MESSAGES})),
    Role("executor", "исполнитель", (), "department"),
    Role("approver", "согласующий", (), "own"),
    Role("head", "руководитель", (), "all", frozenset({NAME_SUBSTITUTES})),
    Role(ADMINISTRATOR, "администратор", (), "all", frozenset(ABILITIES)),
    Role(LEGAL, "юрист", (), "own"),
)


class RoleRegistry:
    """The roles of one municipality, looked up by id and by lane."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles: dict[str, Role] = {role.id: role for role in roles}
        self.lane_roles: dict[str, str] = {}
        for role in self.roles.values():
            for lane in role.all_lanes:
                self.lane_roles.setdefault(lane, role.id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Role ids in declaration order (defaults first)."""
        return tuple(self.roles)

    def name(self, role: str) -> str:
        """The Russian name of a role (its id when unknown)."""
        found = self.roles.get(role)
        return found.name if found else role

    def role_of_lane(self, lane: str | None) -> str | None:
        """The role that works in a lane (an unmapped lane names itself, matching nobody)."""
        if lane is None:
            return None
        return self.lane_roles.get(lane, lane)

    def knows_lane(self, lane: str) -> bool:
        """Whether some role acts in the lane."""
        return lane in self.lane_roles

    def lanes_of(self, roles: Iterable[str]) -> frozenset[str]:
        """Lane ids whose tasks the given roles may complete."""
        held = frozenset(roles)
        return frozenset(held | {lane for lane, role in self.lane_roles.items() if role in held})

    def seeing(self, visibility: Visibility) -> frozenset[str]:
        """The roles with this visibility."""
        return frozenset(role.id for role in self.roles.values() if role.sees == visibility)

    def may(self, roles: Iterable[str], ability: str) -> bool:
        """Whether any of the roles may do `ability` (engine.roles.ABILITIES)."""
        return any(ability in self.roles[role].may for role in roles if role in self.roles)

    def sees(self, role: str | None) -> Visibility:
        """What holders of a role see (an unknown role: its own lanes)."""
        found = self.roles.get(role or "")
        return found.sees if found else "own"


def extended(declared: Iterable[Mapping[str, Any]]) -> RoleRegistry:
    """Today's roles with a municipality's declarations added (validated by the schema)."""
    roles = {role.id: role for role in DEFAULT_ROLES}
    for item in declared:
        role_id = str(item["id"])
        lanes = tuple(str(lane) for lane in item.get("lanes") or ())
        may = frozenset(str(ability) for ability in item.get("may") or ())
        base = roles.get(role_id)
        if base is None:
            sees: Visibility = item.get("sees") or "own"
            roles[role_id] = Role(role_id, str(item["name"]), lanes, sees, may)
            continue
        roles[role_id] = replace(
            base,
            name=str(item.get("name") or base.name),
            lanes=base.lanes + tuple(lane for lane in lanes if lane not in base.lanes),
            sees=item.get("sees") or base.sees,
            may=base.may | may,
        )
    return RoleRegistry(roles.values())


DEFAULT_REGISTRY = RoleRegistry(DEFAULT_ROLES)
