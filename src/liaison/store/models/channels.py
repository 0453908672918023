"""Channels, their members, labelled messages with their versions, acknowledgements, alerts,
and the offices' terminology glossaries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from liaison.store.models.base import Base, Record
from liaison.store.models.labels import LabelId
from liaison.store.models.organization import Labelled
from liaison.store.types import UTCDateTime, utcnow


class Channel(Record, Labelled, Base):
    """A conversation space. Its own label covers its name and existence; `ceiling_label_id`
    bounds what may be posted; `default_label_id` is what a message gets unless chosen."""

    __tablename__ = "channels"

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offices.id"), index=True)
    ceiling_label_id: Mapped[int] = mapped_column(LabelId, ForeignKey("labels.id"))
    default_label_id: Mapped[int] = mapped_column(LabelId, ForeignKey("labels.id"))


class ChannelMember(Base):
    """An audience in a channel: a nation, a community, an office or a person."""

    __tablename__ = "channel_members"
    __table_args__ = (Index("ix_channel_members_audience", "kind", "value"),)

    channel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)


class Message(Record, Labelled, Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_channel_id", "channel_id", "id"),)

    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    thread_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)  # "" once deleted (a tombstone)
    language: Mapped[str | None] = mapped_column(String(8))
    precedence: Mapped[str] = mapped_column(String(16))
    ack_required: Mapped[bool] = mapped_column(Boolean, default=False)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)  # user ids
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MessageVersion(Base):
    """What a message said before an edit or a deletion, under the label it had then."""

    __tablename__ = "message_versions"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    label_id: Mapped[int] = mapped_column(LabelId, ForeignKey("labels.id"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by: Mapped[uuid.UUID] = mapped_column(Uuid)


class MessageAcknowledgement(Base):
    __tablename__ = "message_acknowledgements"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageAlert(Base):
    """The chase of one reader's missing acknowledgement: reminders sent, and the escalation."""

    __tablename__ = "message_alerts"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # a user


class GlossaryTerm(Record, Labelled, Base):
    """One concept of an office's terminology: its terms per language and a definition."""

    __tablename__ = "glossary_terms"

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id"), index=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"en": ["main supply route", "MSR"]}
    definition: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
