"""Security labels stored once each, and the policies installed on the node."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from liaison.store.models.base import Base
from liaison.store.types import UTCDateTime, utcnow

# Integer ids: records point at labels through small, fast keys; the hash is the global name.
LabelId = BigInteger().with_variant(Integer, "sqlite")


class StoredLabel(Base):
    """One row per distinct access-relevant label (canonical form and its SHA-256)."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(LabelId, primary_key=True, autoincrement=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    policy: Mapped[str] = mapped_column(String(200))
    classification: Mapped[str] = mapped_column(String(200))
    canonical: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredLabelCategory(Base):
    """A label's category values, one row each, so that SQL can filter and facet on them."""

    __tablename__ = "label_categories"
    __table_args__ = (Index("ix_label_categories_value", "tag_set", "value"),)

    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True
    )
    tag_set: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class InstalledPolicy(Base):
    """A SPIF loaded onto the node (`liaison policy load`), on top of the built-in ones."""

    __tablename__ = "policies"

    seq: Mapped[int] = mapped_column(LabelId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    policy_id: Mapped[str] = mapped_column(String(200), unique=True)
    spif: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
