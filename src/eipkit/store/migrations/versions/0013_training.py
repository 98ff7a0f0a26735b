"""The training mode: courses, the people trained (with gender and kind of organisation, for the results table),
and their checked answers.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("trainer", sa.String(length=100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
    )
    op.create_index(op.f("ix_training_courses_trainer"), "training_courses", ["trainer"], unique=False)
    op.create_table(
        "training_participants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("organisation_kind", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_participants_course_id_training_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_participants")),
        sa.UniqueConstraint("code", name=op.f("uq_training_participants_code")),
    )
    op.create_index(op.f("ix_training_participants_course_id"), "training_participants", ["course_id"], unique=False)
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("exercise", sa.String(length=60), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["training_participants.id"],
            name=op.f("fk_training_attempts_participant_id_training_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempts")),
    )
    op.create_index(op.f("ix_training_attempts_participant_id"), "training_attempts", ["participant_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_training_attempts_participant_id"), table_name="training_attempts")
    op.drop_table("training_attempts")
    op.drop_index(op.f("ix_training_participants_course_id"), table_name="training_participants")
    op.drop_table("training_participants")
    op.drop_index(op.f("ix_training_courses_trainer"), table_name="training_courses")
    op.drop_table("training_courses")
