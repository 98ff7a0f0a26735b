"""Several web processes and workers on one database: the data version every write bumps (page caches are keyed
by it), the sign-in throttle, and the jobs table; on PostgreSQL, procrastinate's queue schema.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO settings (key, value) VALUES ('data_version', '0')")
    op.execute("INSERT INTO settings (key, value) VALUES ('figures_epoch', '0')")
    op.create_table(
        "park_figures",
        sa.Column("park_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_version", sa.Integer(), nullable=True),
        sa.Column("computed_epoch", sa.Integer(), nullable=True),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("park_id", name=op.f("pk_park_figures")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index(op.f("ix_sign_in_attempts_client"), "sign_in_attempts", ["client"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("park_id", sa.String(length=64), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_owner"), "jobs", ["owner"], unique=False)
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and not sa.inspect(bind).has_table("procrastinate_jobs"):
        from procrastinate.schema import SchemaManager

        # the driver's own connection runs the script as it is (no parameters, so no placeholders to escape)
        driver: Any = bind.connection.driver_connection
        driver.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.drop_index(op.f("ix_jobs_status"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_owner"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_sign_in_attempts_client"), table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_table("park_figures")
    op.execute("DELETE FROM settings WHERE key IN ('data_version', 'figures_epoch')")
