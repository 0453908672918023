"""What readers see of reports: one report, lists, the release queue, acknowledgements,
notifications, attachments and who read a report. Every read starts from `report_readable`;
portions and attachments are filtered on their own labels as well."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Forbidden, NotFound
from liaison.domain.reports import ReportState
from liaison.queries.pagination import (
    Page,
    check_limit,
    decode_uuid_cursor,
    encode_cursor,
)
from liaison.security import MarkingLocation, label_from_json, render_marking
from liaison.store.labels import authority_of
from liaison.store.models import (
    Acknowledgement,
    Attachment,
    AuditEntry,
    Report,
    ReportPortion,
    ReportRecipient,
    StoredLabel,
)
from liaison.store.report_access import (
    OVERSIGHT,
    portion_readable,
    readable_report,
    readers,
    report_readable,
)
from liaison.store.types import utcnow

READ_ACTIONS = ("report.read", "report.export", "report.attachment")


@dataclass(frozen=True, slots=True)
class LabelMarks:
    canonical: dict[str, Any]
    marking: str  # the page marking, e.g. "NATO SECRET RELEASABLE TO GBR, FRA"
    portion_mark: str  # e.g. "(NS)"


def label_marks(session: Session, label_id: int) -> LabelMarks:
    """A stored label and its markings under its policy (empty if the policy is unknown)."""
    stored = session.get(StoredLabel, label_id)
    if stored is None:  # the foreign key holds
        raise RuntimeError(f"label {label_id} is missing")
    label = label_from_json(stored.canonical)
    policy = authority_of(session).registry.get(label.policy)
    if policy is None:
        return LabelMarks(stored.canonical, "", "")
    return LabelMarks(
        stored.canonical,
        render_marking(policy, label),
        render_marking(policy, label, location=MarkingLocation.PORTION),
    )


@dataclass(frozen=True, slots=True)
class ReportView:
    report: Report
    portions: list[ReportPortion]
    recipients: list[ReportRecipient]
    attachments: list[Attachment]
    sanitized_from: uuid.UUID | None  # only when the viewer may see the original
    acknowledged_at: datetime | None  # the viewer's own acknowledgement


def view(session: Session, viewer: Principal, report: Report) -> ReportView:
    """What `viewer` sees of a report they may see."""
    portions = session.scalars(
        select(ReportPortion)
        .where(ReportPortion.report_id == report.id, portion_readable(session, viewer))
        .order_by(ReportPortion.position)
    )
    recipients = session.scalars(
        select(ReportRecipient)
        .where(ReportRecipient.report_id == report.id)
        .order_by(ReportRecipient.kind, ReportRecipient.value)
    )
    attachments = session.scalars(
        _attachments(session, viewer).where(Attachment.report_id == report.id)
    )
    original = None
    if report.sanitized_from_id is not None:
        seen = readable_report(session, viewer, report.sanitized_from_id)
        original = seen.id if seen is not None else None
    acknowledged = session.scalar(
        select(Acknowledgement.acknowledged_at).where(
            Acknowledgement.report_id == report.id, Acknowledgement.user_id == viewer.user_id
        )
    )
    return ReportView(
        report, list(portions), list(recipients), list(attachments), original, acknowledged
    )


def get_report(session: Session, viewer: Principal, report_id: uuid.UUID) -> ReportView:
    report = readable_report(session, viewer, report_id)
    if report is None:
        raise NotFound("no such report")
    return view(session, viewer, report)


def list_reports(
    session: Session,
    viewer: Principal,
    *,
    state: ReportState | None = None,
    queue: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Report]:
    """Newest first. `queue`: the release queue of a releasing officer (submitted reports of
    their nation)."""
    query = select(Report).where(report_readable(session, viewer))
    if queue:
        viewer.require(Role.RELEASING_OFFICER)
        query = query.where(
            Report.state == ReportState.SUBMITTED, Report.author_nation == viewer.nation
        )
    if state is not None:
        query = query.where(Report.state == state)
    return _page(session, query, cursor, limit)


def awaiting_acknowledgement(
    session: Session, viewer: Principal, *, limit: int = 50
) -> list[Report]:
    """Released reports asking for acknowledgement that the viewer has not given, soonest
    due first."""
    acknowledged = select(Acknowledgement.report_id).where(
        Acknowledgement.user_id == viewer.user_id
    )
    query = (
        select(Report)
        .where(
            report_readable(session, viewer),
            Report.state == ReportState.RELEASED,
            Report.ack_by.is_not(None),
            Report.author_id != viewer.user_id,
            Report.id.not_in(acknowledged),
        )
        .order_by(Report.ack_by, Report.id)
        .limit(check_limit(limit))
    )
    return list(session.scalars(query))


def _page(session: Session, query: Select[Report], cursor: str | None, limit: int) -> Page[Report]:
    before = decode_uuid_cursor(cursor)
    if before is not None:
        query = query.where(Report.id < before)
    rows = list(session.scalars(query.order_by(Report.id.desc()).limit(check_limit(limit) + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(str(rows[-1].id)) if more else None)


# --- attachments ------------------------------------------------------------------------------


def _attachments(session: Session, viewer: Principal) -> Select[Attachment]:
    query = select(Attachment).order_by(Attachment.created_at, Attachment.id)
    if viewer.clearance is None:
        return query.where(false())
    readable = authority_of(session).label_filter(
        session, viewer.clearance, Attachment.label_id.expression
    )
    return query.where(readable)


def get_attachment(
    session: Session, viewer: Principal, report_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """An attachment of a report the viewer may see, under a label they may read."""
    if readable_report(session, viewer, report_id) is None:
        raise NotFound("no such attachment")
    found = session.scalars(
        _attachments(session, viewer).where(
            Attachment.id == attachment_id, Attachment.report_id == report_id
        )
    ).one_or_none()
    if found is None:
        raise NotFound("no such attachment")
    return found


# --- acknowledgements -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AckLine:
    user_id: uuid.UUID
    display_name: str
    nation: str
    acknowledged_at: datetime | None
    overdue: bool


def acknowledgement_board(
    session: Session, viewer: Principal, report_id: uuid.UUID
) -> list[AckLine]:
    """Who has and has not acknowledged, among the users allowed to see the report now.

    For its author and the oversight roles; a reader is not shown the other readers.
    """
    report = readable_report(session, viewer, report_id)
    if report is None:
        raise NotFound("no such report")
    oversees = any(viewer.has(role) for role in OVERSIGHT) and report.author_nation == viewer.nation
    if report.author_id != viewer.user_id and not oversees:
        raise Forbidden("only the author and the releasing officers see acknowledgements")
    done = dict(
        session.execute(
            select(Acknowledgement.user_id, Acknowledgement.acknowledged_at).where(
                Acknowledgement.report_id == report.id
            )
        ).all()
    )
    now = utcnow()
    due = report.ack_by
    lines = [
        AckLine(
            reader.user_id,
            reader.display_name,
            reader.nation,
            done.get(reader.user_id),
            due is not None and reader.user_id not in done and now > due,
        )
        for reader in readers(session, report.id)
        if reader.user_id != report.author_id
    ]
    return sorted(lines, key=lambda line: (line.acknowledged_at is not None, line.display_name))


# --- spillage ---------------------------------------------------------------------------------


def who_read(session: Session, viewer: Principal, report_id: uuid.UUID) -> list[AuditEntry]:
    """Every recorded read of a report (granted or denied), oldest first: a spill's trace."""
    viewer.require(Role.SECURITY_OFFICER)
    if readable_report(session, viewer, report_id) is None:
        raise NotFound("no such report")
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "report",
                AuditEntry.object_id == str(report_id),
                AuditEntry.action.in_(READ_ACTIONS),
            )
            .order_by(AuditEntry.idx)
        )
    )
