"""Who may see a report: its label, its released distribution, and the oversight roles.

A report reaches a reader only when its label admits the reader's clearance AND one of:
the reader wrote it; the reader is a releasing or security officer of the author's nation and
the report has left draft (the release queue and its oversight); or a released entry of its
distribution names the reader's nation, a community of that nation, the reader's office or
the reader. A quarantined (spilled) report is seen by security officers only. Both actions and
queries ask here, so the rule is written once.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal, Role
from liaison.domain.reports import ReportState
from liaison.store.audiences import active_principals, audience_clause
from liaison.store.labels import authority_of
from liaison.store.models import Report, ReportPortion, ReportRecipient

OVERSIGHT = (Role.RELEASING_OFFICER, Role.SECURITY_OFFICER)


def report_readable(session: Session, viewer: Principal) -> ColumnElement[bool]:
    """A WHERE clause on `Report`: the reports `viewer` may see."""
    if viewer.clearance is None:
        return false()
    label = authority_of(session).label_filter(
        session, viewer.clearance, Report.label_id.expression
    )
    distributed = exists().where(
        ReportRecipient.report_id == Report.id,
        ReportRecipient.released_at.is_not(None),
        audience_clause(session, viewer, ReportRecipient.kind, ReportRecipient.value),
    )
    oversight = (
        and_(Report.state != ReportState.DRAFT, Report.author_nation == viewer.nation)
        if any(viewer.has(role) for role in OVERSIGHT)
        else false()
    )
    unquarantined = true() if viewer.has(Role.SECURITY_OFFICER) else Report.quarantined_at.is_(None)
    return and_(
        label, unquarantined, or_(Report.author_id == viewer.user_id, oversight, distributed)
    )


def portion_readable(session: Session, viewer: Principal) -> ColumnElement[bool]:
    """A WHERE clause on `ReportPortion`: portions whose own label `viewer` may read."""
    if viewer.clearance is None:
        return false()
    return authority_of(session).label_filter(
        session, viewer.clearance, ReportPortion.label_id.expression
    )


def readable_report(
    session: Session, viewer: Principal, report_id: uuid.UUID, *, lock: bool = False
) -> Report | None:
    query = select(Report).where(Report.id == report_id, report_readable(session, viewer))
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def readers(session: Session, report_id: uuid.UUID) -> list[Principal]:
    """Every active user who may see the report now (for notifications and acknowledgements)."""
    return [p for p in active_principals(session) if readable_report(session, p, report_id)]
