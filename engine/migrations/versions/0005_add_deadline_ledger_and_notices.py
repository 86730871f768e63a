"""add the deadline ledger, notices and the deadline table of a version

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:32:45
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("clause", sa.String(length=256), nullable=True),
        sa.Column("text", sa.String(length=256), nullable=False),
        sa.Column("span", sa.Boolean(), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("timer_task_id", sa.String(length=36), nullable=True),
        sa.Column("timer_element_id", sa.String(length=128), nullable=True),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "armed",
                "paused",
                "met",
                "breached",
                "cancelled",
                name="deadlinestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("armed_at", UtcDateTime(), nullable=False),
        sa.Column("start_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("paused_at", UtcDateTime(), nullable=True),
        sa.Column("remaining_seconds", sa.Float(), nullable=True),
        sa.Column("remind_at", UtcDateTime(), nullable=True),
        sa.Column("reminded_at", UtcDateTime(), nullable=True),
        sa.Column("breached_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("responsible_role", sa.String(length=64), nullable=True),
        sa.Column("responsible_department", sa.String(length=128), nullable=True),
        sa.Column("responsible_user", sa.String(length=128), nullable=True),
        sa.Column("holders", sa.JSON(), nullable=False),
        sa.Column("outside_office_hours", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_case_deadlines_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_deadlines")),
        sa.UniqueConstraint("instance_id", "key", name=op.f("uq_case_deadlines_instance_id_key")),
    )
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_deadlines_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            "ix_case_deadlines_state", ["municipality", "state", "due_at"], unique=False
        )

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("breach", "reminder", name="noticekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("recipient_role", sa.String(length=64), nullable=False),
        sa.Column("recipient_department", sa.String(length=128), nullable=True),
        sa.Column("clause", sa.String(length=256), nullable=True),
        sa.Column("element_id", sa.String(length=128), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("responsible_role", sa.String(length=64), nullable=True),
        sa.Column("responsible_department", sa.String(length=128), nullable=True),
        sa.Column("responsible_user", sa.String(length=128), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=128), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["case_deadlines.id"],
            name=op.f("fk_notices_deadline_id_case_deadlines"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_notices_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint(
            "deadline_id",
            "kind",
            "recipient_role",
            name=op.f("uq_notices_deadline_id_kind_recipient_role"),
        ),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notices_inbox", ["municipality", "recipient_role", "acknowledged_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notices_instance_id"), ["instance_id"], unique=False)

    with op.batch_alter_table("open_user_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_remaining_seconds", sa.Float(), nullable=True))

    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_table", sa.JSON(), nullable=True))

    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deadline_name", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("responsible_role", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("responsible_department", sa.String(length=128), nullable=True)
        )
        batch_op.add_column(sa.Column("responsible_user", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column(
                "outside_office_hours", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.create_unique_constraint(batch_op.f("uq_violations_deadline_id"), ["deadline_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_violations_deadline_id_case_deadlines"),
            "case_deadlines",
            ["deadline_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_violations_deadline_id_case_deadlines"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_violations_deadline_id"), type_="unique")
        batch_op.drop_column("outside_office_hours")
        batch_op.drop_column("responsible_user")
        batch_op.drop_column("responsible_department")
        batch_op.drop_column("responsible_role")
        batch_op.drop_column("deadline_name")
        batch_op.drop_column("deadline_id")

    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_column("deadline_table")

    with op.batch_alter_table("open_user_tasks", schema=None) as batch_op:
        batch_op.drop_column("paused_remaining_seconds")

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_instance_id"))
        batch_op.drop_index("ix_notices_inbox")

    op.drop_table("notices")
    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_case_deadlines_state")
        batch_op.drop_index(batch_op.f("ix_case_deadlines_instance_id"))

    op.drop_table("case_deadlines")
