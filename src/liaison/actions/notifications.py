"""In-app notifications, written in the transaction of what they are about, each with an
outbox event so that the live stream tells its user at once.

The list a user reads re-applies the visibility of the report or message, so a notification
never outlives its reader's right to it (a spill, a changed clearance).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.events import outbox
from liaison.store.models import Message, Notification, Report
from liaison.store.report_access import readers
from liaison.store.types import utcnow


def notify_users(
    session: Session, about: Report | Message, kind: str, user_ids: Iterable[uuid.UUID]
) -> None:
    """Notify each user of `about`; the caller has checked that they may see it."""
    for user_id in user_ids:
        notification = Notification(user_id=user_id, kind=kind)
        if isinstance(about, Report):
            notification.report_id = about.id
        else:
            notification.message_id = about.id
        session.add(notification)
        session.flush()
        outbox.emit(
            session,
            "notification.created",
            object_type="notification",
            object_id=str(notification.id),
            label_id=str(about.label_id),
            payload={"user_id": str(user_id)},
        )


def notify_readers(
    session: Session, report: Report, kind: str, *, exclude: uuid.UUID | None = None
) -> None:
    """Notify every user who may see `report` now and has not been told this already (the
    author and `exclude` apart)."""
    told = session.scalars(
        select(Notification.user_id).where(
            Notification.report_id == report.id, Notification.kind == kind
        )
    )
    skip = {report.author_id, exclude, *told}
    notify_users(
        session,
        report,
        kind,
        (p.user_id for p in readers(session, report.id) if p.user_id not in skip),
    )


def do_mark_read(session: Session, actor: Principal, notification_ids: Iterable[int]) -> int:
    """Mark the caller's own notifications read; returns how many changed."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == actor.user_id,
            Notification.id.in_(list(notification_ids)),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
