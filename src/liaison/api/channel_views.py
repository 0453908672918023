"""How channels and messages are shown over the API: labels with markings, date-time groups
in UTC and in the reader's own time zone, precedence, and tombstones for deleted messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.orm import Session

from liaison.api.report_views import Marked, marked
from liaison.domain.dtg import format_dtg, format_dtg_in
from liaison.store.models import Channel, ChannelMember, Message


class MemberOut(BaseModel):
    kind: str
    value: str


class ChannelOut(Marked):
    id: uuid.UUID
    name: str
    kind: str
    description: str
    office_id: uuid.UUID | None
    ceiling: Marked
    default: Marked
    members: list[MemberOut] | None = None
    version: int


def channel_out(
    session: Session, channel: Channel, members: list[ChannelMember] | None = None
) -> ChannelOut:
    return ChannelOut(
        **marked(session, channel.label_id).model_dump(),
        id=channel.id,
        name=channel.name,
        kind=channel.kind,
        description=channel.description,
        office_id=channel.office_id,
        ceiling=marked(session, channel.ceiling_label_id),
        default=marked(session, channel.default_label_id),
        members=None
        if members is None
        else [MemberOut(kind=m.kind, value=m.value) for m in members],
        version=channel.version,
    )


class MessageOut(Marked):
    id: uuid.UUID
    channel_id: uuid.UUID
    thread_id: uuid.UUID | None
    author_id: uuid.UUID
    author: str
    body: str
    deleted: bool
    language: str | None
    precedence: str
    ack_required: bool
    mentions: list[uuid.UUID]
    created_at: datetime
    dtg: str  # in Z
    local_dtg: str  # in the reader's time zone (its zone letter when whole-hour)
    edited_at: datetime | None
    version: int


def message_out(session: Session, message: Message, author: str, zone: ZoneInfo) -> MessageOut:
    return MessageOut(
        **marked(session, message.label_id).model_dump(),
        id=message.id,
        channel_id=message.channel_id,
        thread_id=message.thread_id,
        author_id=message.author_id,
        author=author,
        body=message.body,
        deleted=message.deleted_at is not None,
        language=message.language,
        precedence=message.precedence,
        ack_required=message.ack_required,
        mentions=[uuid.UUID(m) for m in message.mentions],
        created_at=message.created_at,
        dtg=format_dtg(message.created_at),
        local_dtg=format_dtg_in(message.created_at, zone),
        edited_at=message.edited_at,
        version=message.version,
    )
