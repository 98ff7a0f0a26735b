"""The training mode's entry points: a trainer's courses and participants (rights checked on the stored course), a
participant's exercises through the secret code of their page, and the people trained for the results table.

`user` None is the command line run by whoever holds the database (as for every other command)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from eipkit import contract, i18n
from eipkit.access import User
from eipkit.i18n import LocalisedError
from eipkit.model import Attempt, Course, Participant
from eipkit.store import Database
from eipkit.store import training as stored
from eipkit.training import exercises, sandbox

TRAINER_ROLES = ("ministry", "board", "consultant")  # who may hold courses


class TrainingError(LocalisedError):
    """A course or participant that cannot be made as asked, or is not the asker's."""


def _allowed_to_train(user: User | None) -> None:
    if user is not None and user.role not in TRAINER_ROLES:
        raise TrainingError("train.not_trainer")


def _own(user: User | None, course: Course | None, course_id: int) -> Course:
    """The course, if it is the user's (a ministry user sees every course); the same answer for one that does not
    exist and one that is another trainer's, so ids reveal nothing."""
    if course is None or (user is not None and user.role != "ministry" and course.trainer != user.username):
        raise TrainingError("train.no_course", course=course_id)
    return course


def create_course(
    database: Database, user: User | None, title: str, held_on: dt.date, place: str | None = None, trainer: str = ""
) -> Course:
    """A course held by `user` (or, from the command line, by `trainer`); returns it with its number.

    Args:
        database: the store.
        user: the trainer (None from the command line, which may see every course).
        title: the course's title.
        held_on: the day it is held.
        place: where.
        trainer: the trainer's name when `user` is None.

    Examples:
        >>> training.create_course(database, None, "RECP cơ bản", dt.date(2027, 3, 9), "Hải Phòng", "Nguyễn An")
    """
    _allowed_to_train(user)
    title = title.strip()
    if not title or len(title) > 200:
        raise TrainingError("train.bad_title")
    with database.transaction(changes_data=False) as session:
        return stored.add_course(session, title, user.username if user else (trainer or "cli"), held_on, place)


def courses(database: Database, user: User | None) -> list[Course]:
    """The courses a user may see: its own, or every one for the ministry and the command line.

    Args:
        database: the store.
        user: the trainer (None from the command line, which may see every course).

    Examples:
        >>> [c.title for c in training.courses(database, None)]
    """
    with database.sessions() as session:
        return stored.courses(session, None if user is None or user.role == "ministry" else user.username)


def add_participant(
    database: Database,
    user: User | None,
    course_id: int,
    name: str,
    organisation: str,
    organisation_kind: str,
    gender: str,
    role: str | None = None,
) -> Participant:
    """Register a person on a course; each gets a private page (and sandbox) behind a secret code.

    Args:
        database: the store.
        user: the trainer (None from the command line, which may see every course).
        course_id: the course's number.
        name: the person's name.
        organisation: where they work.
        organisation_kind: `management_board`, `park_investor`, `enterprise`, `consultant`, `government` or `other`.
        gender: `female`, `male` or `other` (the programme reports people trained by gender).
        role: their role, free text.

    Examples:
        >>> person = training.add_participant(database, None, 1, "Trần Bình", "BQL KKT Hải Phòng", "management_board",
        ...                                   "female")
        >>> person.code
    """
    for field, value, enum in (
        ("organisation_kind", organisation_kind, "organisation_kind"),
        ("gender", gender, "gender"),
    ):
        if value not in contract.enum_values(enum):
            raise TrainingError(
                "train.bad_choice", field=field, value=value, allowed=", ".join(contract.enum_values(enum))
            )
    if not name.strip() or not organisation.strip():
        raise TrainingError("train.name_needed")
    with database.transaction(changes_data=False) as session:
        _own(user, stored.course(session, course_id), course_id)
        return stored.add_participant(
            session,
            course_id,
            name.strip(),
            organisation.strip(),
            organisation_kind,
            gender,
            (role or "").strip() or None,
        )


@dataclass(frozen=True)
class Progress:
    participant: Participant
    done: tuple[str, ...]  # exercises answered right
    tried: int  # answers given

    @property
    def completed(self) -> bool:
        return set(self.done) >= set(exercises.catalogue())


def course_progress(database: Database, user: User | None, course_id: int) -> tuple[Course, list[Progress]]:
    """A course and each participant's progress (exercises done, answers given), for its trainer.

    Args:
        database: the store.
        user: the trainer (None from the command line, which may see every course).
        course_id: the course's number; another trainer's course raises TrainingError.

    Examples:
        >>> course, people = training.course_progress(database, None, 1)
        >>> [(p.participant.name, len(p.done)) for p in people]
    """
    with database.sessions() as session:
        course = _own(user, stored.course(session, course_id), course_id)
        people = stored.participants(session, [course_id])
        answers = stored.attempts(session, [p.participant_id for p in people])
    return course, [_progress(p, answers) for p in people]


def _progress(person: Participant, answers: list[Attempt]) -> Progress:
    own = [a for a in answers if a.participant_id == person.participant_id]
    done = tuple(e for e in exercises.catalogue() if any(a.exercise == e and a.correct for a in own))
    return Progress(person, done, len(own))


@dataclass(frozen=True)
class Desk:
    """What a participant's page shows: the course, each exercise with its task said for this sandbox, and the
    answers given so far."""

    participant: Participant
    course: Course
    tasks: list[tuple[exercises.Exercise, str]]
    answers: list[Attempt]

    def done(self, exercise_id: str) -> bool:
        return any(a.exercise == exercise_id and a.correct for a in self.answers)

    @property
    def done_count(self) -> int:
        return sum(self.done(e.exercise_id) for e, _ in self.tasks)


def participant(database: Database, code: str) -> tuple[Participant, Course]:
    """The participant behind a secret code, and their course (a wrong code raises TrainingError).

    Args:
        database: the store.
        code: the participant's secret code.

    Examples:
        >>> person, course = training.participant(database, person.code)
    """
    with database.sessions() as session:
        person = stored.participant_by_code(session, code) if code else None
        if person is None:
            raise TrainingError("train.no_participant")
        course = stored.course(session, person.course_id)
    assert course is not None
    return person, course


def desk(database: Database, code: str, lang: str) -> Desk:
    """What a participant's page shows: their course, each exercise with its task said for their sandbox, and the
    answers given so far.

    Args:
        database: the store.
        code: the participant's secret code.
        lang: "vi" or "en".

    Examples:
        >>> training.desk(database, person.code, "vi").done_count
    """
    person, course = participant(database, code)
    own = sandbox.sandbox(person.code)
    try:
        opportunity = exercises.saving_opportunity(own)
    finally:
        own.engine.dispose()
    tasks = [(e, e.task[lang].format(opportunity=opportunity)) for e in exercises.catalogue().values()]
    with database.sessions() as session:
        answers = stored.attempts(session, [person.participant_id])
    return Desk(person, course, tasks, answers)


def answer(database: Database, code: str, exercise_id: str, given: str, lang: str) -> exercises.Verdict:
    """Check an answer on the participant's sandbox and record it; a right measured saving is also recorded on the
    sandbox's opportunity, as the exercise asks.

    Args:
        database: the store.
        code: the participant's secret code.
        exercise_id: `energy-intensity`, `scope-2`, `record-saving`, `cheapest-recp-share` or `dossier-gaps`.
        given: the answer as typed ("1.234,5" and "1234.5" both read).
        lang: "vi" or "en", for the verdict's words.

    Examples:
        >>> training.answer(database, person.code, "scope-2", "1.234,5", "vi").correct
    """
    person, _ = participant(database, code)
    exercise = exercises.catalogue().get(exercise_id)
    if exercise is None:
        raise TrainingError("train.no_exercise", exercise=exercise_id)
    given = given.strip()[:500]
    own = sandbox.sandbox(person.code)
    try:
        verdict = exercises.check(exercise, own, given, lang)
        if verdict.correct and exercise_id == "record-saving":
            from eipkit import api

            measured = api.enterprise_measured_savings(own, "DEEPC-001", [2022], 2024)
            api.apply_measured_savings(own, exercises.saving_opportunity(own), measured, "DEEPC-001")
    finally:
        own.engine.dispose()
    with database.transaction(changes_data=False) as session:
        stored.record_attempt(
            session, person.participant_id, exercise_id, given, verdict.correct, verdict.feedback.text(lang)
        )
    return verdict


def trained(database: Database, year: int | None = None) -> dict[str, Any]:
    """People trained (registered on a course held by the end of `year`, or ever), by gender and kind of
    organisation: the results table's line.

    Args:
        database: the store.
        year: courses held up to this year (all when None).

    Examples:
        >>> training.trained(database, 2027)["by_gender"]
    """
    with database.sessions() as session:
        held = [c.course_id for c in stored.courses(session) if year is None or c.held_on.year <= year]
        people = stored.participants(session, held) if held else []
    return {
        "total": len(people),
        "by_gender": {g: sum(p.gender == g for p in people) for g in contract.enum_values("gender")},
        "by_organisation_kind": dict(
            sorted(Counter(p.organisation_kind for p in people).items(), key=lambda kv: kv[0])
        ),
        "courses": len(held),
    }


def export_rows(database: Database, user: User | None, course_id: int, lang: str) -> tuple[list[str], list[list[Any]]]:
    """The course's register: one row per participant with their progress, as the trainer files it; the header
    and the rows.

    Args:
        database: the store.
        user: the trainer (None from the command line, which may see every course).
        course_id: the course's number.
        lang: "vi" or "en", for the header and the labels.

    Examples:
        >>> header, rows = training.export_rows(database, None, 1, "vi")
    """
    _, found = course_progress(database, user, course_id)
    names = list(exercises.catalogue())
    headers = [i18n.t(f"train.head.{k}", lang) for k in ("name", "organisation", "kind", "role", "gender")]
    headers += [exercises.catalogue()[e].title[lang] for e in names] + [i18n.t("train.head.completed", lang)]
    rows = []
    for p in found:
        person = p.participant
        rows.append(
            [
                person.name,
                person.organisation,
                contract.enum_label("organisation_kind", person.organisation_kind, lang),
                person.role or "",
                contract.enum_label("gender", person.gender, lang),
                *[i18n.t("cert.yes" if e in p.done else "cert.no", lang) for e in names],
                i18n.t("cert.yes" if p.completed else "cert.no", lang),
            ]
        )
    return headers, rows
