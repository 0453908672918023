"""How a report is shown over the API and in exports: labels with their page and portion
markings, date-time groups, and only what the caller's `ReportView` holds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from liaison.domain.dtg import format_dtg
from liaison.queries.reports import ReportView, label_marks
from liaison.store.models import Attachment, Report

LabelJson = dict[str, Any]


class Marked(BaseModel):
    label: LabelJson
    marking: str
    portion_mark: str


def marked(session: Session, label_id: int) -> Marked:
    marks = label_marks(session, label_id)
    return Marked(label=marks.canonical, marking=marks.marking, portion_mark=marks.portion_mark)


class PortionOut(Marked):
    position: int
    text: str


class RecipientOut(BaseModel):
    kind: str
    value: str
    released_at: datetime | None


class AttachmentOut(Marked):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class ReportSummary(Marked):
    id: uuid.UUID
    kind: str
    title: str
    office_id: uuid.UUID
    author_nation: str
    state: str
    dtg: datetime
    dtg_text: str
    ack_by: datetime | None
    quarantined: bool
    version: int


class ReportOut(ReportSummary):
    author_id: uuid.UUID
    fields: dict[str, str]
    locations: list[dict[str, Any]]
    return_comments: str | None
    released_at: datetime | None
    sanitized_from: uuid.UUID | None
    acknowledged_at: datetime | None
    portions: list[PortionOut]
    recipients: list[RecipientOut]
    attachments: list[AttachmentOut]


def report_summary(session: Session, report: Report) -> ReportSummary:
    return ReportSummary(**_summary_fields(session, report))


def _summary_fields(session: Session, report: Report) -> dict[str, Any]:
    return {
        **marked(session, report.label_id).model_dump(),
        "id": report.id,
        "kind": report.kind,
        "title": report.title,
        "office_id": report.office_id,
        "author_nation": report.author_nation,
        "state": report.state,
        "dtg": report.dtg,
        "dtg_text": format_dtg(report.dtg),
        "ack_by": report.ack_by,
        "quarantined": report.quarantined_at is not None,
        "version": report.version,
    }


def attachment_out(session: Session, attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        **marked(session, attachment.label_id).model_dump(),
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
    )


def report_out(session: Session, seen: ReportView) -> ReportOut:
    report = seen.report
    return ReportOut(
        **_summary_fields(session, report),
        author_id=report.author_id,
        fields=report.fields,
        locations=report.locations,
        return_comments=report.return_comments,
        released_at=report.released_at,
        sanitized_from=seen.sanitized_from,
        acknowledged_at=seen.acknowledged_at,
        portions=[
            PortionOut(**marked(session, p.label_id).model_dump(), position=p.position, text=p.text)
            for p in seen.portions
        ],
        recipients=[
            RecipientOut(kind=r.kind, value=r.value, released_at=r.released_at)
            for r in seen.recipients
        ],
        attachments=[attachment_out(session, a) for a in seen.attachments],
    )
