"""`/notifications`: what the caller should look at, for reports they may still see."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from liaison.actions.notifications import do_mark_read
from liaison.api.report_views import ReportSummary, marked, report_summary
from liaison.http.deps import Caller, NodeDep, ReadSession
from liaison.queries.notifications import list_notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


class MessageRef(BaseModel):
    id: uuid.UUID
    channel_id: uuid.UUID
    precedence: str
    marking: str


class NotificationOut(BaseModel):
    id: int
    kind: str
    created_at: datetime
    read_at: datetime | None
    report: ReportSummary | None
    message: MessageRef | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


@router.get("")
def notifications(
    caller: Caller,
    session: ReadSession,
    unread: bool = False,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = 50,
) -> NotificationPage:
    page = list_notifications(session, caller, unread=unread, cursor=cursor, limit=limit)
    return NotificationPage(
        items=[
            NotificationOut(
                id=n.id,
                kind=n.kind,
                created_at=n.created_at,
                read_at=n.read_at,
                report=report_summary(session, report) if report else None,
                message=MessageRef(
                    id=message.id,
                    channel_id=message.channel_id,
                    precedence=message.precedence,
                    marking=marked(session, message.label_id).marking,
                )
                if message
                else None,
            )
            for n, report, message in page.items
        ],
        next_cursor=page.next_cursor,
    )


class MarkRead(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)


class MarkedOut(BaseModel):
    marked: int


@router.post("/read")
def mark_read(body: MarkRead, caller: Caller, node: NodeDep) -> MarkedOut:
    with node.db.writing() as session:
        return MarkedOut(marked=do_mark_read(session, caller, body.ids))
