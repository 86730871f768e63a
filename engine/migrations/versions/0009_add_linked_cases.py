"""add the link from a case to the earlier closed case of the same question

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linked_to_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_process_instances_linked_to_id"), ["linked_to_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_process_instances_linked_to_id", "process_instances", ["linked_to_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_constraint("fk_process_instances_linked_to_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_process_instances_linked_to_id"))
        batch_op.drop_column("linked_to_id")
