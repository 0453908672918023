"""A user's notifications, each shown only while its report or message is still visible to
them (a spill, a changed clearance or a new label hides it at once)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.errors import Invalid
from liaison.queries.pagination import Page, check_limit, decode_cursor, encode_cursor
from liaison.store.channel_access import message_readable
from liaison.store.models import Message, Notification, Report
from liaison.store.report_access import report_readable

Item = tuple[Notification, Report | None, Message | None]


def list_notifications(
    session: Session,
    viewer: Principal,
    *,
    unread: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Item]:
    """Newest first."""
    query = (
        select(Notification, Report, Message)
        .outerjoin(Report, Report.id == Notification.report_id)
        .outerjoin(Message, Message.id == Notification.message_id)
        .where(
            Notification.user_id == viewer.user_id,
            or_(
                and_(Notification.report_id.is_not(None), report_readable(session, viewer)),
                and_(Notification.message_id.is_not(None), message_readable(session, viewer)),
            ),
        )
        .order_by(Notification.id.desc())
        .limit(check_limit(limit) + 1)
    )
    if unread:
        query = query.where(Notification.read_at.is_(None))
    before = decode_cursor(cursor)
    if before is not None:
        if not isinstance(before, int):
            raise Invalid("malformed cursor: pass back the next_cursor of a page", "cursor")
        query = query.where(Notification.id < before)
    rows: list[Item] = [(n, r, m) for n, r, m in session.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1][0].id) if more else None)
