"""Audit entries name the park they concern, so a park's people can read its trail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("park_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_park_id"), ["park_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_park_id"))
        batch_op.drop_column("park_id")
