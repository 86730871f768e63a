"""add the task list's indexes: its order with the creation time, its step and source choices

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 18:00:00
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_open_user_tasks_due", table_name="open_user_tasks")
    op.create_index(
        "ix_open_user_tasks_due", "open_user_tasks", ["municipality", "due_at", "created_at"]
    )
    op.create_index(
        "ix_open_user_tasks_steps", "open_user_tasks", ["municipality", "element_id", "name"]
    )
    op.create_index("ix_messages_sources", "messages", ["municipality", "source"])


def downgrade() -> None:
    op.drop_index("ix_messages_sources", table_name="messages")
    op.drop_index("ix_open_user_tasks_steps", table_name="open_user_tasks")
    op.drop_index("ix_open_user_tasks_due", table_name="open_user_tasks")
    op.create_index("ix_open_user_tasks_due", "open_user_tasks", ["municipality", "due_at"])
