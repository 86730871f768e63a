"""add version activations (scheduled, rollback), settings snapshots and unique labels

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:45:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Labels deployed twice before labels were unique keep the first; later ones get their id.
    op.execute(
        "UPDATE process_versions SET label = label || '-' || id WHERE id NOT IN "
        "(SELECT MIN(id) FROM process_versions GROUP BY municipality, label)"
    )
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings_yaml", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("activated_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("activated_by", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(
            "uq_process_versions_municipality_label", ["municipality", "label"]
        )
    op.create_table(
        "version_activations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("effective_at", UtcDateTime(), nullable=False),
        sa.Column("performed_at", UtcDateTime(), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["process_versions.id"]),
        sa.ForeignKeyConstraint(["previous_version_id"], ["process_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_version_activations_pending",
        "version_activations",
        ["municipality", "performed_at", "effective_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_version_activations_pending", table_name="version_activations")
    op.drop_table("version_activations")
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_process_versions_municipality_label", type_="unique")
        batch_op.drop_column("activated_by")
        batch_op.drop_column("activated_at")
        batch_op.drop_column("settings_yaml")
