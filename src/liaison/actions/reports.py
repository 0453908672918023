"""Writing reports: drafts with labelled portions, submission, new versions, attachments,
acknowledgement, reads (audited, so that a spill can be traced) and spillage.

The overall label is always the rollup of the portions' and attachments' labels, recomputed on
every change; nobody may write a portion, an attachment or an overall label they could not read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from liaison.actions.notifications import notify_readers, notify_users
from liaison.actions.policies import label_or_office_default, prepare_label
from liaison.actions.recording import record
from liaison.actions.sight import check_audiences, seen
from liaison.audit.log import content_digest
from liaison.domain import geo
from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale
from liaison.domain.filenames import safe_filename
from liaison.domain.reports import (
    EDITABLE_STATES,
    MAX_PORTION_LENGTH,
    MAX_PORTIONS,
    MAX_TITLE_LENGTH,
    Audience,
    AudienceKind,
    ReportKind,
    ReportState,
    clean_fields,
)
from liaison.security import Label, RollupError, label_from_json, rollup
from liaison.store.files import StoredBlob
from liaison.store.labels import authority_of
from liaison.store.models import (
    Acknowledgement,
    Attachment,
    Office,
    Organization,
    Person,
    Report,
    ReportPortion,
    ReportRecipient,
    StoredLabel,
)
from liaison.store.report_access import readable_report, readers
from liaison.store.search import clean_text
from liaison.store.types import utcnow

WRITERS = (Role.OFFICER, Role.RELEASING_OFFICER, Role.SECURITY_OFFICER)


@dataclass(frozen=True, slots=True)
class NewPortion:
    text: str
    label: Label | None = None  # None: the office's default label


@dataclass(frozen=True, slots=True)
class Location:
    """A place given as latitude/longitude or as an MGRS grid reference."""

    lat: float | None = None
    lon: float | None = None
    mgrs: str | None = None


# --- drafts -----------------------------------------------------------------------------------


def do_create_report(
    session: Session,
    actor: Principal,
    *,
    kind: ReportKind,
    title: str,
    office_id: uuid.UUID,
    dtg: datetime,
    portions: Sequence[NewPortion],
    fields: dict[str, str] | None = None,
    locations: Sequence[Location] = (),
    recipients: Sequence[Audience] = (),
    ack_by: datetime | None = None,
    origin: str,
) -> Report:
    """A draft report of `office_id`, seen by its author alone until submitted."""
    actor.require_any(*WRITERS)
    seen(session, actor, Office, office_id, "office")
    report = Report(
        kind=kind.value,
        title=clean_title(title),
        office_id=office_id,
        author_id=actor.user_id,
        author_nation=actor.nation,
        state=ReportState.DRAFT.value,
        dtg=dtg,
        fields=clean_report_fields(kind, fields or {}),
        locations=clean_locations(locations),
        ack_by=ack_by,
        origin=origin,
        created_by=actor.user_id,
    )
    prepared = prepare_portions(session, actor, office_id, portions)
    report.label_id = overall_label(session, actor, {label_id for _, label_id in prepared})
    session.add(report)
    session.flush()
    write_portions(session, report, prepared)
    write_recipients(session, actor, report, recipients)
    record_report(session, actor, "report.create", report, event="report.created")
    return report


def do_update_report(
    session: Session,
    actor: Principal,
    report_id: uuid.UUID,
    *,
    expected_version: int | None = None,
    title: str | None = None,
    dtg: datetime | None = None,
    fields: dict[str, str] | None = None,
    locations: Sequence[Location] | None = None,
    portions: Sequence[NewPortion] | None = None,
    recipients: Sequence[Audience] | None = None,
    ack_by: datetime | None = None,
) -> Report:
    """Change a draft or returned report (None: unchanged; portions and recipients are
    replaced whole). Released reports are never edited: issue a new version."""
    report = editable(session, actor, report_id, expected_version)
    if title is not None:
        report.title = clean_title(title)
    if dtg is not None:
        report.dtg = dtg
    if fields is not None:
        report.fields = clean_report_fields(ReportKind(report.kind), fields)
    if locations is not None:
        report.locations = clean_locations(locations)
    if ack_by is not None:
        report.ack_by = ack_by
    if portions is not None:
        prepared = prepare_portions(session, actor, report.office_id, portions)
        session.execute(delete(ReportPortion).where(ReportPortion.report_id == report.id))
        write_portions(session, report, prepared)
    if recipients is not None:
        session.execute(delete(ReportRecipient).where(ReportRecipient.report_id == report.id))
        write_recipients(session, actor, report, recipients)
    _relabel(session, actor, report)
    report.updated_at = utcnow()  # a change to portions alone must still bump the version
    record_report(session, actor, "report.update", report, event="report.updated")
    return report


def do_submit_report(
    session: Session, actor: Principal, report_id: uuid.UUID, *, expected_version: int | None = None
) -> Report:
    """Send a draft on. Distribution inside the author's nation is released at once; anything
    beyond it waits for a releasing officer's decision (and then nothing is released before)."""
    report = editable(session, actor, report_id, expected_version)
    recipients = recipients_of(session, report)
    if not recipients:
        raise Invalid("give the report a distribution before submitting it", field="recipients")
    if all(is_domestic(session, report, recipient) for recipient in recipients):
        release_to(session, actor, report, recipients)
        record_report(
            session,
            actor,
            "report.submit",
            report,
            reason="national distribution only",
            event="report.released",
        )
        return report
    report.state = ReportState.SUBMITTED.value
    report.return_comments = None
    record_report(session, actor, "report.submit", report, event="report.submitted")
    notify_users(session, report, "report.submitted", _queue_officers(session, report))
    return report


def do_new_version(
    session: Session, actor: Principal, report_id: uuid.UUID, *, origin: str
) -> Report:
    """A draft copy of a released report, superseding it; the original stays as released."""
    original = authored(session, actor, report_id)
    if original.state != ReportState.RELEASED:
        raise Conflict("only a released report gets a new version: edit this one instead")
    draft = Report(
        kind=original.kind,
        title=original.title,
        office_id=original.office_id,
        author_id=actor.user_id,
        author_nation=original.author_nation,
        state=ReportState.DRAFT.value,
        dtg=original.dtg,
        fields=dict(original.fields),
        locations=list(original.locations),
        ack_by=original.ack_by,
        supersedes_id=original.id,
        label_id=original.label_id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(draft)
    session.flush()
    for portion in _portions(session, original):
        session.add(
            ReportPortion(
                report_id=draft.id,
                position=portion.position,
                label_id=portion.label_id,
                text=portion.text,
            )
        )
    for recipient in recipients_of(session, original):
        session.add(ReportRecipient(report_id=draft.id, kind=recipient.kind, value=recipient.value))
    record_report(session, actor, "report.new_version", draft, event="report.created")
    return draft


# --- distribution and release (shared with actions.release) -----------------------------------


def release_to(
    session: Session, actor: Principal, report: Report, recipients: Sequence[ReportRecipient]
) -> None:
    """Put `recipients` in force, mark the report released, and tell its new readers."""
    now = utcnow()
    for recipient in recipients:
        if recipient.released_at is None:
            recipient.released_at, recipient.released_by = now, actor.user_id
    if report.state != ReportState.RELEASED:
        report.state, report.released_at = ReportState.RELEASED.value, now
    report.return_comments = None
    session.flush()
    kinds = ("report.released", "report.ack_required") if report.ack_by else ("report.released",)
    for kind in kinds:
        notify_readers(session, report, kind, exclude=actor.user_id)


def is_domestic(session: Session, report: Report, recipient: ReportRecipient) -> bool:
    """Whether a distribution entry stays inside the author's nation (no foreign disclosure)."""
    return audience_nation(session, recipient) == report.author_nation


def audience_nation(session: Session, recipient: ReportRecipient) -> str | None:
    """The nation an entry reaches; None for communities and international offices."""
    match AudienceKind(recipient.kind):
        case AudienceKind.NATION:
            return recipient.value
        case AudienceKind.COMMUNITY:
            return None
        case AudienceKind.OFFICE:
            return session.scalar(
                select(Organization.nation)
                .join(Office, Office.sending_org_id == Organization.id)
                .where(Office.id == uuid.UUID(recipient.value))
            )
        case AudienceKind.PERSON:
            return session.scalar(
                select(Person.nation).where(Person.id == uuid.UUID(recipient.value))
            )


def recipients_of(session: Session, report: Report) -> list[ReportRecipient]:
    query = select(ReportRecipient).where(ReportRecipient.report_id == report.id)
    return list(session.scalars(query.order_by(ReportRecipient.kind, ReportRecipient.value)))


def _queue_officers(session: Session, report: Report) -> list[uuid.UUID]:
    return [
        principal.user_id
        for principal in readers(session, report.id)
        if principal.has(Role.RELEASING_OFFICER) and principal.user_id != report.author_id
    ]


# --- attachments ------------------------------------------------------------------------------


def do_add_attachment(
    session: Session,
    actor: Principal,
    report_id: uuid.UUID,
    *,
    filename: str,
    content_type: str,
    blob: StoredBlob,
    label: Label | None,
    origin: str,
) -> Attachment:
    """Attach a stored file to a draft; its label joins the report's rollup."""
    report = editable(session, actor, report_id, None)
    stored = label_or_office_default(session, actor, label, report.office_id)
    attachment = Attachment(
        report_id=report.id,
        filename=safe_filename(filename),
        content_type=content_type,
        size=blob.size,
        sha256=blob.sha256,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(attachment)
    session.flush()
    _relabel(session, actor, report)
    report.updated_at = utcnow()
    record(
        session,
        actor,
        "report.attach",
        object_type="attachment",
        object_id=attachment.id,
        label_id=str(stored.id),
        content_hash=blob.sha256,
        reason=f"to report {report.id}",
        event="report.updated",
        payload={"report_id": str(report.id)},
    )
    return attachment


def do_remove_attachment(
    session: Session, actor: Principal, report_id: uuid.UUID, attachment_id: uuid.UUID
) -> None:
    report = editable(session, actor, report_id, None)
    attachment = session.scalars(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.report_id == report.id)
    ).one_or_none()
    if attachment is None:
        raise NotFound("no such attachment")
    session.delete(attachment)
    session.flush()
    _relabel(session, actor, report)
    report.updated_at = utcnow()
    record_report(session, actor, "report.detach", report, event="report.updated")


# --- readers ----------------------------------------------------------------------------------


def do_note_read(
    session: Session, actor: Principal, report_id: uuid.UUID, how: str
) -> Report | None:
    """Record a read (get, export, attachment) so that the audit answers who read a report;
    None when the actor may not see it.

    An attempt on a report the actor may not see is recorded as denied; the caller commits it,
    then answers as if the report did not exist.
    """
    report = readable_report(session, actor, report_id)
    if report is None:
        hidden = session.get(Report, report_id)
        if hidden is not None:
            # Under the report's label: the audit viewer shows the attempt only to security
            # officers who may read the report.
            record(
                session,
                actor,
                f"report.{how}",
                object_type="report",
                object_id=report_id,
                label_id=str(hidden.label_id),
                decision="denied",
                reason="not visible to the reader",
            )
        return None
    record_report(session, actor, f"report.{how}", report)
    return report


def do_acknowledge(session: Session, actor: Principal, report_id: uuid.UUID) -> Acknowledgement:
    """Acknowledge a released report (again: the first acknowledgement stands)."""
    report = readable_report(session, actor, report_id)
    if report is None:
        raise NotFound("no such report")
    if report.state != ReportState.RELEASED:
        raise Conflict("only a released report can be acknowledged")
    existing = session.get(Acknowledgement, (report.id, actor.user_id))
    if existing is not None:
        return existing
    acknowledgement = Acknowledgement(report_id=report.id, user_id=actor.user_id)
    session.add(acknowledgement)
    record_report(session, actor, "report.acknowledge", report, event="report.acknowledged")
    return acknowledgement


def do_declare_spill(
    session: Session, actor: Principal, report_id: uuid.UUID, *, reason: str
) -> Report:
    """Quarantine a report labelled too low: from now on only security officers see it."""
    actor.require(Role.SECURITY_OFFICER)
    if not reason.strip():
        raise Invalid("say why the report is declared spilled", field="reason")
    report = readable_report(session, actor, report_id, lock=True)
    if report is None:
        raise NotFound("no such report")
    if report.quarantined_at is not None:
        raise Conflict("the report is already quarantined")
    report.quarantined_at, report.quarantined_by = utcnow(), actor.user_id
    record_report(
        session, actor, "report.spill", report, reason=reason.strip()[:500], event="report.spilled"
    )
    return report


# --- shared checks ----------------------------------------------------------------------------


def authored(
    session: Session, actor: Principal, report_id: uuid.UUID, *, lock: bool = False
) -> Report:
    report = readable_report(session, actor, report_id, lock=lock)
    if report is None:
        raise NotFound("no such report")
    if report.author_id != actor.user_id:
        raise Forbidden("only the report's author may change it")
    return report


def editable(
    session: Session, actor: Principal, report_id: uuid.UUID, expected_version: int | None
) -> Report:
    report = authored(session, actor, report_id, lock=True)
    if expected_version is not None and expected_version != report.version:
        raise Stale(f"report changed since version {expected_version}; reload and retry")
    if report.state not in EDITABLE_STATES:
        raise Conflict(f"a {report.state} report cannot be edited: issue a new version")
    return report


def clean_title(title: str) -> str:
    stripped = title.strip()
    if not stripped:
        raise Invalid("the report needs a title", field="title")
    if len(stripped) > MAX_TITLE_LENGTH:
        raise Invalid(f"title is longer than {MAX_TITLE_LENGTH} characters", field="title")
    return stripped


def clean_report_fields(kind: ReportKind, fields: dict[str, str]) -> dict[str, str]:
    try:
        return clean_fields(kind, fields)
    except ValueError as error:
        raise Invalid(str(error), field="fields") from None


def clean_locations(locations: Sequence[Location]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for number, location in enumerate(locations, start=1):
        try:
            if location.mgrs is not None:
                position = geo.from_mgrs(location.mgrs)
            elif location.lat is not None and location.lon is not None:
                position = geo.Position(location.lat, location.lon)
            else:
                raise ValueError("give lat and lon, or an MGRS grid reference")
        except ValueError as error:
            raise Invalid(f"location {number}: {error}", field="locations") from None
        out.append({"lat": position.lat, "lon": position.lon, "mgrs": geo.to_mgrs(position)})
    return out


def prepare_portions(
    session: Session, actor: Principal, office_id: uuid.UUID, portions: Sequence[NewPortion]
) -> list[tuple[str, int]]:
    """Each portion's cleaned text and the id of its (validated, not written-up) label."""
    if not portions:
        raise Invalid("a report needs at least one portion", field="portions")
    if len(portions) > MAX_PORTIONS:
        raise Invalid(f"a report has at most {MAX_PORTIONS} portions", field="portions")
    prepared = []
    for position, portion in enumerate(portions, start=1):
        text = clean_text(portion.text).strip()
        if not text:
            raise Invalid(f"portion {position} is empty", field="portions")
        if len(text) > MAX_PORTION_LENGTH:
            raise Invalid(
                f"portion {position} is longer than {MAX_PORTION_LENGTH} characters",
                field="portions",
            )
        try:
            stored = label_or_office_default(session, actor, portion.label, office_id)
        except Invalid as error:
            raise Invalid(f"portion {position}: {error}", field="portions") from None
        prepared.append((text, stored.id))
    return prepared


def write_portions(session: Session, report: Report, prepared: list[tuple[str, int]]) -> None:
    session.add_all(
        ReportPortion(report_id=report.id, position=position, label_id=label_id, text=text)
        for position, (text, label_id) in enumerate(prepared, start=1)
    )


def write_recipients(
    session: Session, actor: Principal, report: Report, recipients: Sequence[Audience]
) -> None:
    session.add_all(
        ReportRecipient(report_id=report.id, kind=audience.kind, value=audience.value)
        for audience in check_audiences(session, actor, recipients, "recipients")
    )


def _portions(session: Session, report: Report) -> list[ReportPortion]:
    query = select(ReportPortion).where(ReportPortion.report_id == report.id)
    return list(session.scalars(query.order_by(ReportPortion.position)))


def _relabel(session: Session, actor: Principal, report: Report) -> None:
    """The report's label: the rollup of its portions' and attachments' labels."""
    session.flush()
    label_ids = set(
        session.scalars(select(ReportPortion.label_id).where(ReportPortion.report_id == report.id))
    ) | set(session.scalars(select(Attachment.label_id).where(Attachment.report_id == report.id)))
    report.label_id = overall_label(session, actor, label_ids)


def overall_label(session: Session, actor: Principal, label_ids: set[int]) -> int:
    """The id of the rollup of these labels, which `actor` must be able to read."""
    labels = [
        label_from_json(canonical)
        for canonical in session.scalars(
            select(StoredLabel.canonical).where(StoredLabel.id.in_(label_ids))
        )
    ]
    policies = {label.policy for label in labels}
    if len(policies) != 1:
        raise Invalid("all portions of a report must be labelled under one policy", "portions")
    policy = authority_of(session).registry.get(policies.pop())
    assert policy is not None  # each label passed prepare_label
    try:
        overall = rollup(policy, labels)
    except RollupError as error:
        raise Invalid(f"the portions' labels do not roll up: {error}", field="portions") from None
    try:
        return prepare_label(session, actor, overall).id
    except Invalid:
        raise Invalid(
            "the portions' labels roll up to a label you could not read (their releasability "
            "has nothing in common): relabel the portions",
            field="portions",
        ) from None


def record_report(
    session: Session,
    actor: Principal,
    action: str,
    report: Report,
    *,
    reason: str = "",
    event: str | None = None,
) -> None:
    session.flush()
    content = "\n".join(
        [report.title, *(f"{p.label_id}:{p.text}" for p in _portions(session, report))]
    )
    record(
        session,
        actor,
        action,
        object_type="report",
        object_id=report.id,
        label_id=str(report.label_id),
        reason=reason,
        content_hash=content_digest(content),
        event=event,
        payload={"state": report.state, "version": report.version},
    )
