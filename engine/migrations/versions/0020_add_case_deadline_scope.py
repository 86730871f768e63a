"""add the subprocess instance a span deadline belongs to (one department's answer)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_column("scope_id")
