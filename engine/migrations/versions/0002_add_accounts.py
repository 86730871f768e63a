"""add staff accounts, substitutions and the task-list and message-registry indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:55:00.017500
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=256), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("department", sa.String(length=128), nullable=True),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_municipality"), ["municipality"], unique=False)

    op.create_table(
        "substitutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("absent_user_id", sa.Integer(), nullable=False),
        sa.Column("substitute_user_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["absent_user_id"], ["users.id"], name=op.f("fk_substitutions_absent_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["substitute_user_id"],
            ["users.id"],
            name=op.f("fk_substitutions_substitute_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_substitutions")),
    )
    with op.batch_alter_table("substitutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_substitutions_absent_user_id"), ["absent_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_substitutions_substitute_user_id"), ["substitute_user_id"], unique=False
        )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_author", ["municipality", "author_id"], unique=False)
        batch_op.create_index("ix_messages_registry", ["municipality", "received_at"], unique=False)

    with op.batch_alter_table("open_user_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_open_user_tasks_due", ["municipality", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("open_user_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_open_user_tasks_due")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_registry")
        batch_op.drop_index("ix_messages_author")

    with op.batch_alter_table("substitutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_substitutions_substitute_user_id"))
        batch_op.drop_index(batch_op.f("ix_substitutions_absent_user_id"))

    op.drop_table("substitutions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_municipality"))

    op.drop_table("users")
