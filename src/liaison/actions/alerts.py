"""Chasing acknowledgements: an unacknowledged IMMEDIATE or FLASH message is notified again at
its precedence's interval and, past its deadline, escalated to each silent reader's superior.

Run by the node's scheduler (and `liaison alerts run`). A superior is told only if they may
see the message themselves; otherwise the escalation goes on up the chain.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.notifications import notify_users
from liaison.actions.recording import record
from liaison.domain.accounts import SYSTEM
from liaison.domain.channels import ALERTING, Precedence, alerting
from liaison.store.chain import superiors_of
from liaison.store.channel_access import message_readers, readable_message
from liaison.store.locks import try_exclusive
from liaison.store.models import Message, MessageAcknowledgement, MessageAlert, User

# Older unacknowledged messages are no longer chased: their moment has passed.
CHASE_WINDOW = timedelta(days=2)
_CHASE_LOCK = 4406  # advisory lock key of a chase round (after STANAG 4406, military messaging)


@dataclass(frozen=True, slots=True)
class ChaseResult:
    reminders: int
    escalations: int


def do_chase_acknowledgements(session: Session, now: datetime) -> ChaseResult:
    """One round; a round another process is running already is skipped."""
    reminders = escalations = 0
    if not try_exclusive(session, _CHASE_LOCK):
        return ChaseResult(0, 0)
    pending = session.scalars(
        select(Message).where(
            Message.ack_required.is_(True),
            Message.deleted_at.is_(None),
            Message.precedence.in_([p.value for p in ALERTING]),
            Message.created_at >= now - CHASE_WINDOW,
        )
    )
    for message in list(pending):
        rule = alerting(Precedence(message.precedence))
        assert rule is not None
        done = set(
            session.scalars(
                select(MessageAcknowledgement.user_id).where(
                    MessageAcknowledgement.message_id == message.id
                )
            )
        )
        for reader in message_readers(session, message.id):
            if reader.user_id == message.author_id or reader.user_id in done:
                continue
            alert = session.get(MessageAlert, (message.id, reader.user_id))
            if alert is None:
                alert = MessageAlert(message_id=message.id, user_id=reader.user_id, reminders=0)
                session.add(alert)
            last = alert.last_reminded_at or message.created_at
            if alert.last_reminded_at is None or now - last >= rule.every:
                notify_users(session, message, "message.reminder", [reader.user_id])
                alert.reminders += 1
                alert.last_reminded_at = now
                reminders += 1
            if alert.escalated_at is None and now - message.created_at >= rule.escalate_after:
                superior = _superior_who_may_see(session, reader.user_id, message, now)
                alert.escalated_at, alert.escalated_to = now, superior
                if superior is not None:
                    notify_users(session, message, "message.escalation", [superior])
                    escalations += 1
                _record_escalation(session, message, reader.user_id, superior)
    session.flush()
    return ChaseResult(reminders, escalations)


def _superior_who_may_see(
    session: Session, user_id: uuid.UUID, message: Message, now: datetime
) -> uuid.UUID | None:
    for superior in superiors_of(session, user_id, now.date()):
        user = session.get(User, superior)
        if user is not None and readable_message(session, user.principal(), message.id):
            return superior
    return None


def _record_escalation(
    session: Session, message: Message, reader: uuid.UUID, superior: uuid.UUID | None
) -> None:
    to = f"escalated to user {superior}" if superior else "no superior may see it"
    record(
        session,
        SYSTEM,
        "message.escalate",
        object_type="message",
        object_id=message.id,
        label_id=str(message.label_id),
        reason=f"{message.precedence} not acknowledged by user {reader}: {to}",
        event="message.escalated",
        payload={"channel_id": str(message.channel_id), "reader": str(reader)},
    )
