"""Monitoring trail of opportunity stages, cleaner-production assessments and their tasks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cp_assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("focus_area", sa.String(length=500), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("consultant", sa.String(length=200), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.enterprise_id"], name=op.f("fk_cp_assessments_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cp_assessments")),
    )
    with op.batch_alter_table("cp_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cp_assessments_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "cp_tasks",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("task", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["cp_assessments.id"],
            name=op.f("fk_cp_tasks_assessment_id_cp_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "task", name=op.f("pk_cp_tasks")),
    )
    op.create_table(
        "opportunity_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("previous", sa.String(length=20), nullable=True),
        sa.Column("basis", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.opportunity_id"],
            name=op.f("fk_opportunity_events_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_events")),
    )
    with op.batch_alter_table("opportunity_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_events_opportunity_id"), ["opportunity_id"], unique=False)

    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assessment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_opportunities_assessment_id_cp_assessments"),
            "cp_assessments",
            ["assessment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_opportunities_assessment_id_cp_assessments"), type_="foreignkey")
        batch_op.drop_column("assessment_id")

    with op.batch_alter_table("opportunity_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_events_opportunity_id"))

    op.drop_table("opportunity_events")
    op.drop_table("cp_tasks")
    with op.batch_alter_table("cp_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cp_assessments_enterprise_id"))

    op.drop_table("cp_assessments")
