"""The yearly record tables lose their index on enterprise_id alone: each table's unique key starts with that column
and serves the same lookups, and every stored row paid for keeping both (waste, which has no such key, keeps its
index).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KEYED = ("energy", "water", "materials", "production")


def upgrade() -> None:
    for table in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_enterprise_id"))


def downgrade() -> None:
    for table in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_enterprise_id"), ["enterprise_id"], unique=False)
