"""Production records say what part of an output is offered to others, such as surplus steam or heat (workbook
contract version 3).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("production", schema=None) as batch_op:
        batch_op.add_column(sa.Column("available_to_others", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("production", schema=None) as batch_op:
        batch_op.drop_column("available_to_others")
