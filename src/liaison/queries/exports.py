"""A report as exported: what the reader sees of it, with its markings and its 4774 label."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.dtg import format_dtg
from liaison.domain.reports import FIELDS, ReportKind
from liaison.exports.document import Portion, ReportDocument
from liaison.queries.reports import ReportView, label_marks
from liaison.queries.visibility import visible
from liaison.security import label_from_json, label_to_xml
from liaison.store.labels import authority_of
from liaison.store.models import Office, StoredLabel, User
from liaison.store.types import utcnow


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
        overall_marking=label_marks(session, report.label_id).marking,
        fields=tuple((titles.get(name, name), value) for name, value in report.fields.items()),
        locations=tuple(str(location["mgrs"]) for location in report.locations),
        portions=tuple(
            Portion(label_marks(session, p.label_id).portion_mark, p.text) for p in seen.portions
        ),
        label_xml=label_to_xml(label, policy=authority_of(session).registry.get(label.policy)),
        exported_at=utcnow().isoformat(),
        exported_by=viewer.display_name,
    )
