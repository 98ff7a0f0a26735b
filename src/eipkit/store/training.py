"""The training records in the store: courses, participants and their checked answers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from eipkit.model import Attempt, Course, Participant
from eipkit.store import schema


def _course(row: schema.TrainingCourse) -> Course:
    return Course(row.id, row.title, row.trainer, row.held_on, row.place)


def _participant(row: schema.TrainingParticipant) -> Participant:
    return Participant(
        row.id, row.course_id, row.name, row.organisation, row.organisation_kind, row.gender, row.role, row.code
    )


def add_course(session: Session, title: str, trainer: str, held_on: dt.date, place: str | None = None) -> Course:
    row = schema.TrainingCourse(
        title=title, trainer=trainer, held_on=held_on, place=place, created_at=dt.datetime.now(dt.UTC)
    )
    session.add(row)
    session.flush()
    return _course(row)


def courses(session: Session, trainer: str | None = None) -> list[Course]:
    query = select(schema.TrainingCourse).order_by(schema.TrainingCourse.held_on, schema.TrainingCourse.id)
    if trainer is not None:
        query = query.where(schema.TrainingCourse.trainer == trainer)
    return [_course(row) for row in session.scalars(query)]


def course(session: Session, course_id: int) -> Course | None:
    row = session.get(schema.TrainingCourse, course_id)
    return _course(row) if row else None


def add_participant(
    session: Session,
    course_id: int,
    name: str,
    organisation: str,
    organisation_kind: str,
    gender: str,
    role: str | None = None,
) -> Participant:
    row = schema.TrainingParticipant(
        course_id=course_id,
        name=name,
        organisation=organisation,
        organisation_kind=organisation_kind,
        gender=gender,
        role=role,
        code=secrets.token_urlsafe(18),
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    return _participant(row)


def participants(session: Session, course_ids: Sequence[int] | None = None) -> list[Participant]:
    query = select(schema.TrainingParticipant).order_by(schema.TrainingParticipant.id)
    if course_ids is not None:
        query = query.where(schema.TrainingParticipant.course_id.in_(list(course_ids)))
    return [_participant(row) for row in session.scalars(query)]


def participant_by_code(session: Session, code: str) -> Participant | None:
    row = session.scalars(select(schema.TrainingParticipant).where(schema.TrainingParticipant.code == code)).first()
    return _participant(row) if row else None


def record_attempt(
    session: Session, participant_id: int, exercise: str, answer: str, correct: bool, feedback: str
) -> Attempt:
    row = schema.TrainingAttempt(
        participant_id=participant_id,
        exercise=exercise,
        answer=answer,
        correct=correct,
        feedback=feedback,
        at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    return Attempt(participant_id, exercise, answer, correct, feedback, row.at)


def attempts(session: Session, participant_ids: Sequence[int]) -> list[Attempt]:
    query = (
        select(schema.TrainingAttempt)
        .where(schema.TrainingAttempt.participant_id.in_(list(participant_ids)))
        .order_by(schema.TrainingAttempt.id)
    )
    return [
        Attempt(r.participant_id, r.exercise, r.answer, r.correct, r.feedback, r.at) for r in session.scalars(query)
    ]
