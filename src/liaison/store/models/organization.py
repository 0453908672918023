"""The structure of a liaison office: alliances, organizations, offices, departments, posts, areas.

Records that carry information of their own have a label; parts of a record (an alliance's
members, an office's departments) are seen exactly when the record they belong to is.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liaison.store.models.base import Base, Record
from liaison.store.models.labels import LabelId


class Labelled:
    """The record's security label (`labels.id`): `visible()` filters on this column."""

    label_id: Mapped[int] = mapped_column(LabelId, ForeignKey("labels.id"), index=True)


class Alliance(Record, Labelled, Base):
    """An alliance, coalition, peacekeeping mission or exercise, and the policy its data uses."""

    __tablename__ = "alliances"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    policy: Mapped[str] = mapped_column(String(200))


class AllianceMember(Base):
    __tablename__ = "alliance_members"

    alliance_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), primary_key=True
    )
    nation: Mapped[str] = mapped_column(String(3), primary_key=True)
    joined_on: Mapped[date] = mapped_column(Date, primary_key=True)
    left_on: Mapped[date | None] = mapped_column(Date)


class Organization(Record, Labelled, Base):
    """A headquarters, unit, ministry, agency, NGO, local authority or international body."""

    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    nation: Mapped[str | None] = mapped_column(String(3))  # None: international
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    alliance_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alliances.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    time_zone: Mapped[str | None] = mapped_column(String(64))


class Office(Record, Labelled, Base):
    """A liaison office: what a sending organization keeps at a host organization."""

    __tablename__ = "offices"

    name: Mapped[str] = mapped_column(String(200))
    sending_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    host_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # The label the office gives what it creates, unless its author chooses another.
    default_label_id: Mapped[int] = mapped_column(LabelId, ForeignKey("labels.id"))


class Department(Record, Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))


class Post(Record, Labelled, Base):
    """A billet, with what its holder needs and its two reporting lines."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_alliance_superior_id", "alliance_superior_id"),
        Index("ix_posts_national_superior_id", "national_superior_id"),
    )

    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    rank_min: Mapped[str] = mapped_column(String(8))
    rank_max: Mapped[str] = mapped_column(String(8))
    # A label the holder's clearance must be able to read; None: no clearance needed.
    required_label_id: Mapped[int | None] = mapped_column(LabelId, ForeignKey("labels.id"))
    # [{"language": "fra", "minimum": "3/3/3/3"}], STANAG 6001 profiles.
    required_languages: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    required_qualifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    alliance_superior_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("posts.id"))
    national_superior_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("posts.id"))


class Area(Record, Labelled, Base):
    """An area of responsibility (GeoJSON), given to an office or a post; the bounding box
    lets SQL narrow "who covers this point" before the exact test."""

    __tablename__ = "areas"

    name: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offices.id"), index=True)
    post_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("posts.id"), index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_latitude: Mapped[float] = mapped_column(Float)
    max_latitude: Mapped[float] = mapped_column(Float)
    min_longitude: Mapped[float] = mapped_column(Float)
    max_longitude: Mapped[float] = mapped_column(Float)
