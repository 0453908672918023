"""How a report is shown over the API and in exports: labels with their page and portion
markings, date-time groups, and only what the caller's `ReportView` holds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.dtg import format_dtg
from liaison.domain.reports import FIELDS, ReportKind
from liaison.exports.document import Portion, ReportDocument
from liaison.queries.reports import ReportView
from liaison.queries.visibility import visible
from liaison.security import MarkingLocation, label_from_json, label_to_xml, render_marking
from liaison.store.labels import authority_of
from liaison.store.models import Attachment, Office, Report, StoredLabel, User
from liaison.store.types import utcnow

LabelJson = dict[str, Any]


class Marked(BaseModel):
    label: LabelJson
    marking: str
    portion_mark: str


def marked(session: Session, label_id: int) -> Marked:
    stored = session.get(StoredLabel, label_id)
    if stored is None:  # the foreign key holds
        raise RuntimeError(f"label {label_id} is missing")
    label = label_from_json(stored.canonical)
    policy = authority_of(session).registry.get(label.policy)
    if policy is None:
        return Marked(label=stored.canonical, marking="", portion_mark="")
    return Marked(
        label=stored.canonical,
        marking=render_marking(policy, label),
        portion_mark=render_marking(policy, label, location=MarkingLocation.PORTION),
    )


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


def export_document(session: Session, viewer: Principal, seen: ReportView) -> ReportDocument:
    """The export of what `viewer` sees; the office is named only if they may see it."""
    report = seen.report
    office = session.scalar(
        visible(
            session,
            select(Office.name).where(Office.id == report.office_id),
            viewer,
            Office.label_id.expression,
        )
    )
    author = session.scalar(select(User.display_name).where(User.id == report.author_id))
    stored = session.get(StoredLabel, report.label_id)
    assert stored is not None
    label = label_from_json(stored.canonical)
    titles = {spec.name: spec.title for spec in FIELDS[ReportKind(report.kind)]}
    return ReportDocument(
        report_id=str(report.id),
        title=report.title,
        kind=report.kind,
        dtg=format_dtg(report.dtg),
        office=office or "(office not shown)",
        author=author or "",
        state=report.state,
        overall_marking=marked(session, report.label_id).marking,
        fields=tuple((titles.get(name, name), value) for name, value in report.fields.items()),
        locations=tuple(str(location["mgrs"]) for location in report.locations),
        portions=tuple(
            Portion(marked(session, p.label_id).portion_mark, p.text) for p in seen.portions
        ),
        label_xml=label_to_xml(label, policy=authority_of(session).registry.get(label.policy)),
        exported_at=utcnow().isoformat(),
        exported_by=viewer.display_name,
    )
