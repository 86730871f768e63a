"""add case comments, each user's notices, mail preferences and the mail outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 15:20:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

MAIL_STATUS = sa.Enum(
    "pending", "sending", "retrying", "sent", "failed",
    name="mailstatus", native_enum=False, length=32,
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "case_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=False
        ),
        sa.Column("municipality", sa.String(64), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_case_comments_instance_id", "case_comments", ["instance_id"])
    op.create_table(
        "user_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("municipality", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("event_key", sa.String(160), nullable=False),
        sa.Column(
            "instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True
        ),
        sa.Column("text", sa.String(1024), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("read_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("user_id", "event_key"),
    )
    op.create_index("ix_user_notices_unread", "user_notices", ["user_id", "read_at"])
    op.create_table(
        "notice_preferences",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("mail_kinds", sa.JSON(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("user_notices.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("status", MAIL_STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("claimed_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("notice_id"),
    )
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_mail_outbox_user_id", "mail_outbox", ["user_id"])


def downgrade() -> None:
    op.drop_table("mail_outbox")
    op.drop_table("notice_preferences")
    op.drop_table("user_notices")
    op.drop_table("case_comments")
