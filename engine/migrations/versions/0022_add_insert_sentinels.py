"""add insert sentinel columns so a flush inserts many audit, deadline and notice rows at once

SQLite hands back the ids of a multi-row INSERT ... RETURNING in no guaranteed order, so
SQLAlchemy sends such rows one statement each unless a client-side sentinel column tells them
apart. The columns hold only a counter within one statement; nothing reads them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("audit_events", "case_deadlines", "user_notices")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("_sentinel", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("_sentinel")
