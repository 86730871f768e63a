"""add scheduled duties: their occurrences and the process a case runs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:45:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instances") as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.String(length=128), nullable=True))
    op.create_table(
        "duty_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("process_id", sa.String(length=128), nullable=False),
        sa.Column("start_event", sa.String(length=128), nullable=False),
        sa.Column("occurs_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["process_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "start_event", "occurs_at", name="uq_duty_occurrence"),
    )
    with op.batch_alter_table("duty_occurrences") as batch_op:
        batch_op.create_index(
            "ix_duty_occurrences_last", ["municipality", "start_event", "occurs_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duty_occurrences_instance_id"), ["instance_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("duty_occurrences") as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_occurrences_instance_id"))
        batch_op.drop_index("ix_duty_occurrences_last")
    op.drop_table("duty_occurrences")
    with op.batch_alter_table("process_instances") as batch_op:
        batch_op.drop_column("process_id")
