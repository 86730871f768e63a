"""add draft versions edited in the browser's modeler (files and a revision)

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01 15:20:00
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UtcDateTime

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "version_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("base_label", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("forms_yaml", sa.Text(), nullable=True),
        sa.Column("deadlines_yaml", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("municipality", "label", name="uq_version_drafts_label"),
    )


def downgrade() -> None:
    op.drop_table("version_drafts")
