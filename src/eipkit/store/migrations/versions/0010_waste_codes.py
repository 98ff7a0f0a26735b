"""The official waste list (Circular 02/2022/TT-BTNMT Annex III) as loaded by a user.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waste_codes",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("mark", sa.String(length=8), nullable=True),
        sa.Column("ewc", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("waste_codes")
