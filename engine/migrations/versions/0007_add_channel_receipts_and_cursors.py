"""add channel receipts and cursors: each delivery taken in once, polling resumed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:55:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("receipt_id", sa.String(length=256), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "municipality", "receipt_id"),
    )
    op.create_index(
        op.f("ix_channel_receipts_message_id"), "channel_receipts", ["message_id"], unique=False
    )
    op.create_table(
        "channel_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("value", sa.String(length=1024), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "municipality", "key"),
    )


def downgrade() -> None:
    op.drop_table("channel_cursors")
    op.drop_index(op.f("ix_channel_receipts_message_id"), table_name="channel_receipts")
    op.drop_table("channel_receipts")
