"""What members see of channels: the channels, their messages (each on its own label), threads,
acknowledgement boards and a message's earlier versions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Forbidden, NotFound
from liaison.queries.pagination import Page, check_limit, decode_uuid_cursor, encode_cursor
from liaison.store.channel_access import (
    channel_readable,
    message_readable,
    message_readers,
    readable_channel,
    readable_message,
)
from liaison.store.labels import authority_of
from liaison.store.models import (
    Channel,
    ChannelMember,
    Message,
    MessageAcknowledgement,
    MessageVersion,
    User,
)


def list_channels(session: Session, viewer: Principal) -> list[Channel]:
    query = select(Channel).where(channel_readable(session, viewer)).order_by(Channel.name)
    return list(session.scalars(query))


def get_channel(
    session: Session, viewer: Principal, channel_id: uuid.UUID
) -> tuple[Channel, list[ChannelMember]]:
    channel = readable_channel(session, viewer, channel_id)
    if channel is None:
        raise NotFound("no such channel")
    members = session.scalars(
        select(ChannelMember)
        .where(ChannelMember.channel_id == channel.id)
        .order_by(ChannelMember.kind, ChannelMember.value)
    )
    return channel, list(members)


def list_messages(
    session: Session,
    viewer: Principal,
    channel_id: uuid.UUID,
    *,
    thread_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Message]:
    """Newest first; a member's view holds only the messages their clearance allows."""
    if readable_channel(session, viewer, channel_id) is None:
        raise NotFound("no such channel")
    query = select(Message).where(
        Message.channel_id == channel_id, message_readable(session, viewer)
    )
    if thread_id is not None:
        query = query.where((Message.thread_id == thread_id) | (Message.id == thread_id))
    before = decode_uuid_cursor(cursor)
    if before is not None:
        query = query.where(Message.id < before)
    rows = list(session.scalars(query.order_by(Message.id.desc()).limit(check_limit(limit) + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(str(rows[-1].id)) if more else None)


def get_message(session: Session, viewer: Principal, message_id: uuid.UUID) -> Message:
    message = readable_message(session, viewer, message_id)
    if message is None:
        raise NotFound("no such message")
    return message


@dataclass(frozen=True, slots=True)
class AckLine:
    user_id: uuid.UUID
    display_name: str
    nation: str
    acknowledged_at: datetime | None


def acknowledgement_board(
    session: Session, viewer: Principal, message_id: uuid.UUID
) -> list[AckLine]:
    """Who has acknowledged, among the users who may see the message: for its readers."""
    message = get_message(session, viewer, message_id)
    done = dict(
        session.execute(
            select(MessageAcknowledgement.user_id, MessageAcknowledgement.acknowledged_at).where(
                MessageAcknowledgement.message_id == message.id
            )
        ).all()
    )
    lines = [
        AckLine(reader.user_id, reader.display_name, reader.nation, done.get(reader.user_id))
        for reader in message_readers(session, message.id)
        if reader.user_id != message.author_id
    ]
    return sorted(lines, key=lambda line: (line.acknowledged_at is not None, line.display_name))


def message_versions(
    session: Session, viewer: Principal, message_id: uuid.UUID
) -> list[MessageVersion]:
    """Earlier versions of a message (the author and security officers), each only if the
    viewer may read the label it had."""
    message = get_message(session, viewer, message_id)
    if message.author_id != viewer.user_id and not viewer.has(Role.SECURITY_OFFICER):
        raise Forbidden("only the author and security officers see earlier versions")
    assert viewer.clearance is not None  # the message was readable
    readable = authority_of(session).label_filter(
        session, viewer.clearance, MessageVersion.label_id.expression
    )
    query = select(MessageVersion).where(MessageVersion.message_id == message.id, readable)
    return list(session.scalars(query.order_by(MessageVersion.version)))


def author_names(session: Session, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of message authors (users are not labelled; their messages are)."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return dict(rows.all())


def awaiting_acknowledgement(
    session: Session, viewer: Principal, *, limit: int = 50
) -> list[Message]:
    """Messages the viewer may read that ask for an acknowledgement they have not given
    (their own excepted, deleted ones too), newest first."""
    acknowledged = select(MessageAcknowledgement.message_id).where(
        MessageAcknowledgement.user_id == viewer.user_id
    )
    query = (
        select(Message)
        .where(
            message_readable(session, viewer),
            Message.ack_required.is_(True),
            Message.deleted_at.is_(None),
            Message.author_id != viewer.user_id,
            Message.id.not_in(acknowledged),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(check_limit(limit))
    )
    return list(session.scalars(query))
