"""People: liaison officers and staff, their clearance, languages, qualifications and posts."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.store.models.base import Base, Record
from liaison.store.models.organization import Labelled


class Person(Record, Labelled, Base):
    """An officer's record. Personal data: labelled like any other information."""

    __tablename__ = "people"
    __table_args__ = (Index("ix_people_clearance_expires", "clearance_expires"),)

    # The office that keeps this record; its default label is the record's unless chosen.
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offices.id"), index=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str] = mapped_column(String(200))
    rank_code: Mapped[str] = mapped_column(String(8))  # STANAG 2116, e.g. OF-4
    rank_title: Mapped[str] = mapped_column(
        String(100)
    )  # the national title, e.g. Lieutenant-colonel
    service: Mapped[str] = mapped_column(String(64))
    nation: Mapped[str] = mapped_column(String(3), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The national clearance as granted, in the terms of its own policy; mapped to the node's
    # policy through the SPIF equivalences when an access decision needs it.
    clearance_policy: Mapped[str | None] = mapped_column(String(200))
    clearance_level: Mapped[str | None] = mapped_column(String(200))
    clearance_special: Mapped[list[str]] = mapped_column(JSON, default=list)
    clearance_issued: Mapped[date | None] = mapped_column(Date)
    clearance_expires: Mapped[date | None] = mapped_column(Date)


class PersonLanguage(Base):
    __tablename__ = "person_languages"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(3), primary_key=True)  # ISO 639-3
    profile: Mapped[str] = mapped_column(String(16))  # STANAG 6001 SLP, e.g. 3+/3/3/2


class Qualification(Record, Base):
    """A course or training record, with its expiry when it has one."""

    __tablename__ = "qualifications"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    course: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)


class Assignment(Record, Base):
    """A person in a post from `starts_on` until `ends_on` (open-ended when None)."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_post_dates", "post_id", "starts_on"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class Accreditation(Record, Base):
    """A person's accreditation to a host organization."""

    __tablename__ = "accreditations"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    host_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
