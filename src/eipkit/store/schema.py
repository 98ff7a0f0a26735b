"""The stored tables: one per contract sheet, the workbook's columns plus the canonical quantities derived at
import, so calculations never convert units again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ID = String(64)
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Park(Base):
    __tablename__ = "parks"

    park_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    province: Mapped[str] = mapped_column(String(500), index=True)  # the unit in force (eipkit.provinces)
    province_as_written: Mapped[str | None] = mapped_column(String(500))  # when a former unit's name was given
    area_ha: Mapped[float] = mapped_column(Float)
    green_area_ha: Mapped[float | None] = mapped_column(Float)
    industrial_land_ha: Mapped[float | None] = mapped_column(Float)
    established_year: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    investor: Mapped[str | None] = mapped_column(String(500))
    wwtp_capacity_m3_per_day: Mapped[float | None] = mapped_column(Float)
    services: Mapped[str | None] = mapped_column(Text)
    investor_violations_3y: Mapped[int | None] = mapped_column(Integer)
    io_monitoring: Mapped[bool | None] = mapped_column(Boolean)
    last_annual_report_year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(20))


class Enterprise(Base):
    __tablename__ = "enterprises"

    enterprise_id: Mapped[str] = mapped_column(ID, primary_key=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("parks.park_id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    vsic: Mapped[str] = mapped_column(String(5))
    employees: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    iso_14001: Mapped[bool | None] = mapped_column(Boolean)
    iso_50001: Mapped[bool | None] = mapped_column(Boolean)
    iso_9001: Mapped[bool | None] = mapped_column(Boolean)
    violations_3y: Mapped[int | None] = mapped_column(Integer)


class _YearlyRecord:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))


class EnergyRecord(_YearlyRecord, Base):
    __tablename__ = "energy"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "carrier"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    carrier: Mapped[str] = mapped_column(String(40))
    cost_vnd: Mapped[float | None] = mapped_column(Float)
    energy_gj: Mapped[float] = mapped_column(Float)


class WaterRecord(_YearlyRecord, Base):
    __tablename__ = "water"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "kind"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    kind: Mapped[str] = mapped_column(String(20))
    cost_vnd: Mapped[float | None] = mapped_column(Float)
    volume_m3: Mapped[float] = mapped_column(Float)


class MaterialRecord(_YearlyRecord, Base):
    __tablename__ = "materials"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "material"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    material: Mapped[str] = mapped_column(String(500))
    chemical: Mapped[bool | None] = mapped_column(Boolean)
    cost_vnd: Mapped[float | None] = mapped_column(Float)
    mass_t: Mapped[float] = mapped_column(Float)


class WasteRecord(_YearlyRecord, Base):
    """A waste stream by fate; the natural key includes the receiver, which may be empty, so uniqueness is
    kept by the importer rather than by a constraint (NULLs are distinct in SQL)."""

    __tablename__ = "waste"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    waste: Mapped[str] = mapped_column(String(500))
    fate: Mapped[str] = mapped_column(String(20))
    waste_code: Mapped[str | None] = mapped_column(String(8))
    hazardous: Mapped[bool | None] = mapped_column(Boolean)
    receiver: Mapped[str | None] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    cost_vnd: Mapped[float | None] = mapped_column(Float)
    mass_t: Mapped[float] = mapped_column(Float)


class ProductionRecord(_YearlyRecord, Base):
    __tablename__ = "production"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "product"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    product: Mapped[str] = mapped_column(String(500))
    value_vnd: Mapped[float | None] = mapped_column(Float)
    available_to_others: Mapped[float | None] = mapped_column(Float)  # in the row's unit (contract version 3)
    canonical_quantity: Mapped[float] = mapped_column(Float)
    canonical_unit: Mapped[str] = mapped_column(String(10))


opportunity_enterprises = Table(
    "opportunity_enterprises",
    Base.metadata,
    Column("opportunity_id", ForeignKey("opportunities.opportunity_id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", ForeignKey("enterprises.enterprise_id"), primary_key=True),
    Column("position", Integer, nullable=False),
)


class Opportunity(Base):
    __tablename__ = "opportunities"

    opportunity_id: Mapped[str] = mapped_column(ID, primary_key=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("parks.park_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    stage: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    year_identified: Mapped[int | None] = mapped_column(Integer)
    year_implemented: Mapped[int | None] = mapped_column(Integer)
    investment_vnd: Mapped[float | None] = mapped_column(Float)
    electricity_mwh: Mapped[float | None] = mapped_column(Float)
    fuel_gj: Mapped[float | None] = mapped_column(Float)
    fuel: Mapped[str | None] = mapped_column(String(40))
    water_m3: Mapped[float | None] = mapped_column(Float)
    materials_t: Mapped[float | None] = mapped_column(Float)
    chemicals_t: Mapped[float | None] = mapped_column(Float)
    waste_t: Mapped[float | None] = mapped_column(Float)
    cost_saving_vnd: Mapped[float | None] = mapped_column(Float)
    co2e_t: Mapped[float | None] = mapped_column(Float)
    # the yearly cost saving expected before savings were measured, kept when measured ones replace it: what a
    # metered saving shared by several measures is split by
    expected_cost_saving_vnd: Mapped[float | None] = mapped_column(Float)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("cp_assessments.id", ondelete="SET NULL"))

    enterprises: Mapped[list[Enterprise]] = relationship(
        secondary=opportunity_enterprises, order_by=opportunity_enterprises.c.position, viewonly=True
    )


class OpportunityEvent(Base):
    """A dated change of an opportunity's stage or basis: the monitoring trail, never edited."""

    __tablename__ = "opportunity_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.opportunity_id", ondelete="CASCADE"), index=True
    )
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20))
    previous: Mapped[str | None] = mapped_column(String(20))
    basis: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CpAssessment(Base):
    """A cleaner-production assessment of an enterprise (6 steps, 18 tasks)."""

    __tablename__ = "cp_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    focus_area: Mapped[str] = mapped_column(String(500))
    team: Mapped[str | None] = mapped_column(Text)
    consultant: Mapped[str | None] = mapped_column(String(200))
    started_on: Mapped[dt.date] = mapped_column(Date)


class CpTaskState(Base):
    __tablename__ = "cp_tasks"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("cp_assessments.id", ondelete="CASCADE"), primary_key=True)
    task: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class CertificationApplication(Base):
    """A certification dossier received by a management board, followed through its procedure."""

    __tablename__ = "certification_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("parks.park_id"), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    procedure: Mapped[str] = mapped_column(String(20))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApplicationStep(Base):
    """A step of an application done on a day, or its outcome: the trail, never edited."""

    __tablename__ = "application_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("certification_applications.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class UserAccount(Base):
    """A person who signs in to the web application, with one role and the place it applies to."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(100))
    park_id: Mapped[str | None] = mapped_column(String(64))
    enterprise_id: Mapped[str | None] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserAssignment(Base):
    """A park or an enterprise a consultant is assigned to."""

    __tablename__ = "user_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    park_id: Mapped[str | None] = mapped_column(String(64))
    enterprise_id: Mapped[str | None] = mapped_column(String(64))


class AuditEntry(Base):
    """Every change made through the web application: who, when, what, before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(200))
    park_id: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class WasteCodeEntry(Base):
    """A code of the official waste list (Circular 02/2022 Annex III) as loaded by a user; it replaces the shipped
    extract, whose codes are mostly unverified."""

    __tablename__ = "waste_codes"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    mark: Mapped[str | None] = mapped_column(String(8))
    ewc: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(1000))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SignInAttempt(Base):
    """A sign-in attempt that failed or is still running, by client: the throttle every web process shares."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch: compared, never shown


class JobRecord(Base):
    """Long work asked for by a user (an optimisation, the national results): stored when submitted, run by a
    worker, its progress and answer written here for any web process to show."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(100), index=True)
    park_id: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    step: Mapped[str] = mapped_column(String(40))
    round: Mapped[int | None] = mapped_column(Integer)
    gap: Mapped[float | None] = mapped_column(Float)
    elapsed_s: Mapped[float | None] = mapped_column(Float)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ParkFigures(Base):
    """A park's dashboard figures (its latest year's KPIs, its certification status), computed once per change of
    the park's data and read by every process: the national overview reads 436 rows, not 1.4 million records.
    `version` is bumped by each transaction that changes the park; the figures hold while `computed_version` equals
    it and `computed_epoch` equals the settings' figures epoch (bumped by a change that did not say its parks)."""

    __tablename__ = "park_figures"

    park_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    computed_version: Mapped[int | None] = mapped_column(Integer)
    computed_epoch: Mapped[int | None] = mapped_column(Integer)
    figures: Mapped[str | None] = mapped_column(Text)


class ImportLog(Base):
    """Each accepted import: what came in and when, for the audit trail."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(1000))
    rows: Mapped[str] = mapped_column(Text)


RECORD_TABLES: dict[str, type[Base]] = {
    "parks": Park,
    "enterprises": Enterprise,
    "energy": EnergyRecord,
    "water": WaterRecord,
    "materials": MaterialRecord,
    "waste": WasteRecord,
    "production": ProductionRecord,
    "opportunities": Opportunity,
}


class TrainingCourse(Base):
    """A course of the programme's training, held by a trainer (an account) for people it registers."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(100), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TrainingParticipant(Base):
    """A person trained: who, from which kind of organisation, and the secret code of their sandbox's page."""

    __tablename__ = "training_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    organisation_kind: Mapped[str] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TrainingAttempt(Base):
    """An answer to an exercise, as checked against the product's own computation on the participant's sandbox."""

    __tablename__ = "training_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("training_participants.id", ondelete="CASCADE"), index=True)
    exercise: Mapped[str] = mapped_column(String(60))
    answer: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    feedback: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
