"""Who may see a channel and its messages, written once for actions, queries and the stream.

A channel is seen when its own label admits the reader's clearance AND the reader is one of
its members (through nation, community, office or person) or created it. A message is seen
when its channel is and its own label admits the reader; nothing of the others is shown, not
even that they exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.store.audiences import active_principals, audience_clause
from liaison.store.labels import authority_of
from liaison.store.models import Channel, ChannelMember, Message


def channel_readable(session: Session, viewer: Principal) -> ColumnElement[bool]:
    if viewer.clearance is None:
        return false()
    label = authority_of(session).label_filter(
        session, viewer.clearance, Channel.label_id.expression
    )
    member = exists().where(
        ChannelMember.channel_id == Channel.id,
        audience_clause(session, viewer, ChannelMember.kind, ChannelMember.value),
    )
    return and_(label, or_(Channel.created_by == viewer.user_id, member))


def message_readable(session: Session, viewer: Principal) -> ColumnElement[bool]:
    if viewer.clearance is None:
        return false()
    label = authority_of(session).label_filter(
        session, viewer.clearance, Message.label_id.expression
    )
    channels = select(Channel.id).where(channel_readable(session, viewer))
    return and_(label, Message.channel_id.in_(channels))


def channel_ids_of(session: Session, viewer: Principal) -> set[uuid.UUID]:
    """The channels `viewer` sees (for the live stream's in-memory decisions)."""
    return set(session.scalars(select(Channel.id).where(channel_readable(session, viewer))))


def readable_channel(session: Session, viewer: Principal, channel_id: uuid.UUID) -> Channel | None:
    query = select(Channel).where(Channel.id == channel_id, channel_readable(session, viewer))
    return session.scalars(query).one_or_none()


def readable_message(
    session: Session, viewer: Principal, message_id: uuid.UUID, *, lock: bool = False
) -> Message | None:
    query = select(Message).where(Message.id == message_id, message_readable(session, viewer))
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def message_readers(session: Session, message_id: uuid.UUID) -> list[Principal]:
    """Every active user who may see the message now."""
    return [p for p in active_principals(session) if readable_message(session, p, message_id)]
