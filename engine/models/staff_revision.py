"""One value that every change to who could be told something replaces: the staff's revision.

Why triggers and not application code: users change through the web, the command line, the demo
and any SQL an administrator runs; a trigger in the database moves the counter in the same
transaction as each of them, so a roster kept for a revision (engine/inbox/roster.py) is never
taken for current after a change. Only the columns a notice reads count: a sign-in (failed
logins, lockout, password) moves nothing. Each new value is random, not the next number: a
database recreated or restored from a backup never repeats a revision a running process saw.
"""

from __future__ import annotations

from sqlalchemy import DDL, BigInteger, Integer, event
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.account import User

ROW_ID = 1  # the table's one row
WATCHED_COLUMNS = "login, full_name, roles, department, municipality, is_active, email"
_NEW_VALUE = {
    "sqlite": "random()",
    "postgresql": "floor(random() * 9223372036854775807)::bigint",
}
_BUMP = "UPDATE staff_revision SET revision = {}"

# Written once here; migration 0023 creates the same triggers from these statements.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": tuple(
        f"CREATE TRIGGER staff_revision_on_{name} AFTER {when} ON users "
        f"BEGIN {_BUMP.format(_NEW_VALUE['sqlite'])}; END"
        for name, when in (
            ("insert", "INSERT"),
            ("delete", "DELETE"),
            ("update", f"UPDATE OF {WATCHED_COLUMNS}"),
        )
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION bump_staff_revision() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {_BUMP.format(_NEW_VALUE['postgresql'])}; RETURN NULL; END $$",
        "CREATE TRIGGER staff_revision_on_change "
        f"AFTER INSERT OR DELETE OR UPDATE OF {WATCHED_COLUMNS} ON users "
        "FOR EACH STATEMENT EXECUTE FUNCTION bump_staff_revision()",
    ),
}
SEED = {
    dialect: f"INSERT INTO staff_revision (id, revision) VALUES ({ROW_ID}, {value})"
    for dialect, value in _NEW_VALUE.items()
}


class StaffRevision(Base):
    """The staff's revision: moved by the triggers on `users`, read with a case's lock."""

    __tablename__ = "staff_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


# A schema made by create_all (tests, scenarios, simulations) gets the row and the triggers too.
for _dialect, _seed in SEED.items():
    event.listen(StaffRevision.__table__, "after_create", DDL(_seed).execute_if(dialect=_dialect))
for _dialect, _statements in TRIGGERS.items():
    for _statement in _statements:
        event.listen(User.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
