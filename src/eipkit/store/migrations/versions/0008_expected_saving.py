"""Opportunities keep the cost saving expected of them when measured savings replace it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_cost_saving_vnd", sa.Float(), nullable=True))
    op.execute("UPDATE opportunities SET expected_cost_saving_vnd = cost_saving_vnd WHERE basis = 'expected'")


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_column("expected_cost_saving_vnd")
