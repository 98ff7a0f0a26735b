"""Enterprises record ISO 9001 (workbook contract version 2).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iso_9001", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("iso_9001")
