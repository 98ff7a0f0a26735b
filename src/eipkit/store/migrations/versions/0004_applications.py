"""Certification applications and the steps of their procedure.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certification_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("park_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=True),
        sa.Column("procedure", sa.String(length=20), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.enterprise_id"],
            name=op.f("fk_certification_applications_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.park_id"], name=op.f("fk_certification_applications_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_applications")),
    )
    with op.batch_alter_table("certification_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certification_applications_park_id"), ["park_id"], unique=False)

    op.create_table(
        "application_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["certification_applications.id"],
            name=op.f("fk_application_steps_application_id_certification_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_steps")),
    )
    with op.batch_alter_table("application_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_steps_application_id"), ["application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_steps_application_id"))
    op.drop_table("application_steps")
    with op.batch_alter_table("certification_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_applications_park_id"))
    op.drop_table("certification_applications")
