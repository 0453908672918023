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
from collections import defaultdict

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal, Role
from liaison.domain.nations import COMMUNITIES, releasability_values
from liaison.domain.reports import Audience, AudienceKind, ReportState
from liaison.store.labels import authority_of
from liaison.store.models import Person, Report, ReportPortion, ReportRecipient, User

OVERSIGHT = (Role.RELEASING_OFFICER, Role.SECURITY_OFFICER)


def audiences_of(session: Session, viewer: Principal) -> list[Audience]:
    """The distribution entries that reach `viewer`."""
    audiences = []
    if viewer.nation:
        for value in sorted(releasability_values(viewer.nation, COMMUNITIES)):
            kind = AudienceKind.NATION if value == viewer.nation else AudienceKind.COMMUNITY
            audiences.append(Audience(kind, value))
    linked = session.execute(
        select(User.person_id, Person.office_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.id == viewer.user_id)
    ).one_or_none()
    if linked is not None:
        person_id, office_id = linked
        if person_id is not None:
            audiences.append(Audience(AudienceKind.PERSON, str(person_id)))
        if office_id is not None:
            audiences.append(Audience(AudienceKind.OFFICE, str(office_id)))
    return audiences


def report_readable(session: Session, viewer: Principal) -> ColumnElement[bool]:
    """A WHERE clause on `Report`: the reports `viewer` may see."""
    if viewer.clearance is None:
        return false()
    label = authority_of(session).label_filter(
        session, viewer.clearance, Report.label_id.expression
    )
    by_kind: dict[str, list[str]] = defaultdict(list)
    for audience in audiences_of(session, viewer):
        by_kind[audience.kind].append(audience.value)
    distributed = exists().where(
        ReportRecipient.report_id == Report.id,
        ReportRecipient.released_at.is_not(None),
        or_(
            *(
                and_(ReportRecipient.kind == kind, ReportRecipient.value.in_(values))
                for kind, values in sorted(by_kind.items())
            )
        ),
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
    """Every active user who may see the report now (for notifications and acknowledgements).

    Users are few (an office's staff), so each is asked the same SQL question a read would ask.
    """
    found = []
    for user in session.scalars(select(User).where(User.is_active)):
        principal = user.principal()
        if readable_report(session, principal, report_id) is not None:
            found.append(principal)
    return found
