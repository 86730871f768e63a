"""add the staff's revision, moved by triggers on users, so a kept roster is known current

Every advance that opens a step tells its lane's staff; reading the roster each time was one
statement per step. The triggers give one value a new random one with every change to a user a
notice reads, and a case's lock reads it with its row (engine/inbox/roster.py).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 05:30:00
"""

import sqlalchemy as sa
from alembic import op

from engine.models.staff_revision import SEED, TRIGGERS

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in (SEED[dialect], *TRIGGERS[dialect]):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER staff_revision_on_change ON users")
        op.execute("DROP FUNCTION bump_staff_revision()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER staff_revision_on_{name}")
    op.drop_table("staff_revision")
