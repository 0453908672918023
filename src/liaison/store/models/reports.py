"""Reports: labelled portions, distribution, attachments, acknowledgements and notifications.

A report's own label is the rollup of its portions' and attachments' labels; each portion and
attachment is also filtered on its own label. The full-text index over portions is not mapped
here: it differs by engine and lives in `liaison.store.search`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.store.models.base import Base, Record
from liaison.store.models.labels import LabelId
from liaison.store.models.organization import Labelled
from liaison.store.types import UTCDateTime, utcnow

# Integer keys where the full-text index needs a rowid (SQLite FTS5) or rows are many.
RowId = BigInteger().with_variant(Integer, "sqlite")


class Report(Record, Labelled, Base):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_dtg", "dtg"),
        Index("ix_reports_state_nation", "state", "author_nation"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    author_nation: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(16))
    dtg: Mapped[datetime] = mapped_column(UTCDateTime)
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # [{"lat": 50.1, "lon": 8.6, "mgrs": "32U MA 12345 67890"}]
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ack_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_comments: Mapped[str | None] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A tear line points at the report it was made from; readers who cannot see that report
    # are never told of the link.
    sanitized_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reports.id"), index=True
    )
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reports.id"), index=True)
    quarantined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quarantined_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class ReportPortion(Base):
    """A paragraph of a report, with its own label: the unit of portion marking and search."""

    __tablename__ = "report_portions"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label_id: Mapped[int] = mapped_column(LabelId, ForeignKey("labels.id"), index=True)
    text: Mapped[str] = mapped_column(Text)


class ReportRecipient(Base):
    """One entry of a report's distribution; it takes effect once released to."""

    __tablename__ = "report_recipients"
    __table_args__ = (Index("ix_report_recipients_audience", "kind", "value", "released_at"),)

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Attachment(Record, Labelled, Base):
    """A file of a report; its bytes are stored content-addressed under the data directory."""

    __tablename__ = "attachments"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class Acknowledgement(Base):
    __tablename__ = "report_acknowledgements"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """Something a user should look at; shown only while its report or message stays visible
    to them."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # About a report or a message (exactly one).
    report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
