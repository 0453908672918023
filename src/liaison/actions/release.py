"""The foreign-disclosure decision: release per target, return with comments, or sanitize
into a tear line. Only a releasing officer of the author's nation decides, and a target is
released to only when the report's label lets that target read it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.notifications import notify_users
from liaison.actions.policies import prepare_label
from liaison.actions.reports import (
    Location,
    audience_nation,
    clean_locations,
    clean_report_fields,
    clean_title,
    is_domestic,
    overall_label,
    recipients_of,
    record_report,
    release_to,
    write_portions,
    write_recipients,
)
from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale
from liaison.domain.nations import COMMUNITIES, releasability_values
from liaison.domain.reports import (
    MAX_PORTION_LENGTH,
    Audience,
    AudienceKind,
    ReportKind,
    ReportState,
    releasable,
    release_refusal,
)
from liaison.security import Label, label_from_json
from liaison.store.models import Report, ReportPortion, ReportRecipient, StoredLabel
from liaison.store.report_access import portion_readable, readable_report
from liaison.store.search import clean_text


@dataclass(frozen=True, slots=True)
class TearLinePortion:
    """A portion of a tear line: an original portion's text (by position) or rewritten text,
    under the label the releasing officer gives it."""

    label: Label
    text: str | None = None
    from_position: int | None = None


def do_release(
    session: Session,
    actor: Principal,
    report_id: uuid.UUID,
    *,
    targets: Sequence[Audience] | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Report:
    """Release to `targets` (None: everything waiting). Domestic entries go with the first
    release; targets not chosen keep waiting for a later decision."""
    report = _decidable(session, actor, report_id, expected_version)
    if report.state not in (ReportState.SUBMITTED, ReportState.RELEASED):
        raise Conflict(f"a {report.state} report is not waiting for release")
    pending = [r for r in recipients_of(session, report) if r.released_at is None]
    by_audience = {Audience(AudienceKind(r.kind), r.value): r for r in pending}
    if targets is None:
        chosen = pending
    else:
        missing = [str(t) for t in targets if t not in by_audience]
        if missing:
            raise Invalid(f"not waiting for release: {', '.join(missing)}", field="targets")
        chosen = [by_audience[t] for t in targets]
    chosen += [r for r in pending if r not in chosen and is_domestic(session, report, r)]
    if not chosen:
        raise Conflict("nothing on this report's distribution is waiting for release")
    _check_releasable(session, report, chosen)
    release_to(session, actor, report, chosen)
    record_report(
        session,
        actor,
        "report.release",
        report,
        reason=_decision(chosen, reason),
        event="report.released",
    )
    return report


def do_return(
    session: Session,
    actor: Principal,
    report_id: uuid.UUID,
    *,
    comments: str,
    expected_version: int | None = None,
) -> Report:
    """Send a submitted report back to its author, saying what to change."""
    report = _decidable(session, actor, report_id, expected_version)
    if report.state != ReportState.SUBMITTED:
        raise Conflict(f"a {report.state} report cannot be returned")
    comments = comments.strip()
    if not comments:
        raise Invalid("say what the author should change", field="comments")
    report.state, report.return_comments = ReportState.RETURNED.value, comments[:4000]
    record_report(session, actor, "report.return", report, event="report.returned")
    notify_users(session, report, "report.returned", [report.author_id])
    return report


def do_sanitize(
    session: Session,
    actor: Principal,
    report_id: uuid.UUID,
    *,
    title: str,
    portions: Sequence[TearLinePortion],
    recipients: Sequence[Audience],
    fields: dict[str, str] | None = None,
    locations: Sequence[Location] = (),
    dtg: datetime | None = None,
    reason: str = "",
    origin: str,
) -> Report:
    """A tear line: a new report made from chosen portions or rewritten text, each under the
    label given, released at once to `recipients`. It keeps a link to the original that only
    readers of the original are shown."""
    original = _decidable(session, actor, report_id, None)
    if original.state == ReportState.DRAFT:
        raise Conflict("a draft cannot be sanitized")
    if not recipients:
        raise Invalid("give the tear line its distribution", field="recipients")
    prepared = _tear_line_portions(session, actor, original, portions)
    kind = ReportKind(original.kind)
    tear_line = Report(
        kind=kind.value,
        title=clean_title(title),
        office_id=original.office_id,
        author_id=actor.user_id,
        author_nation=actor.nation,
        state=ReportState.DRAFT.value,
        dtg=dtg or original.dtg,
        fields=clean_report_fields(kind, fields or {}),
        locations=clean_locations(locations),
        sanitized_from_id=original.id,
        label_id=overall_label(session, actor, {label_id for _, label_id in prepared}),
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(tear_line)
    session.flush()
    write_portions(session, tear_line, prepared)
    write_recipients(session, actor, tear_line, recipients)
    session.flush()
    released = recipients_of(session, tear_line)
    _check_releasable(session, tear_line, released)
    release_to(session, actor, tear_line, released)
    record_report(
        session,
        actor,
        "report.sanitize",
        tear_line,
        reason=f"tear line of {original.id}; " + _decision(released, reason),
        event="report.released",
    )
    return tear_line


def _decidable(
    session: Session, actor: Principal, report_id: uuid.UUID, expected_version: int | None
) -> Report:
    actor.require(Role.RELEASING_OFFICER)
    report = readable_report(session, actor, report_id, lock=True)
    if report is None:
        raise NotFound("no such report")
    refusal = release_refusal(actor, author_id=report.author_id, author_nation=report.author_nation)
    if refusal is not None:
        raise Forbidden(refusal)
    if report.quarantined_at is not None:
        raise Conflict("the report is quarantined as a spill")
    if expected_version is not None and expected_version != report.version:
        raise Stale(f"report changed since version {expected_version}; reload and retry")
    return report


def _tear_line_portions(
    session: Session, actor: Principal, original: Report, portions: Sequence[TearLinePortion]
) -> list[tuple[str, int]]:
    if not portions:
        raise Invalid("a tear line needs at least one portion", field="portions")
    readable = dict(
        session.execute(
            select(ReportPortion.position, ReportPortion.text).where(
                ReportPortion.report_id == original.id, portion_readable(session, actor)
            )
        ).all()
    )
    prepared = []
    for number, portion in enumerate(portions, start=1):
        if (portion.text is None) == (portion.from_position is None):
            raise Invalid(f"portion {number}: give text or from_position", field="portions")
        if portion.from_position is not None:
            if portion.from_position not in readable:
                raise Invalid(f"portion {number}: the original has no such portion", "portions")
            text = readable[portion.from_position]
        else:
            text = clean_text(portion.text or "").strip()
        if not text or len(text) > MAX_PORTION_LENGTH:
            raise Invalid(f"portion {number}: text must be 1 to {MAX_PORTION_LENGTH} characters")
        try:
            prepared.append((text, prepare_label(session, actor, portion.label).id))
        except Invalid as error:
            raise Invalid(f"portion {number}: {error}", field="portions") from None
    return prepared


def _check_releasable(session: Session, report: Report, chosen: Sequence[ReportRecipient]) -> None:
    stored = session.get(StoredLabel, report.label_id)
    assert stored is not None
    label = label_from_json(stored.canonical)
    for recipient in chosen:
        if not releasable(label, _holds(session, recipient)):
            raise Invalid(
                f"the report's label is not releasable to {recipient.kind} {recipient.value}: "
                "sanitize it into a tear line, or leave that target out",
                field="targets",
            )


def _holds(session: Session, recipient: ReportRecipient) -> frozenset[str]:
    """The "Releasable To" values the readers an entry reaches hold."""
    if recipient.kind == AudienceKind.COMMUNITY:
        return frozenset({recipient.value})
    nation = audience_nation(session, recipient)
    return releasability_values(nation, COMMUNITIES) if nation else frozenset()


def _decision(chosen: Sequence[ReportRecipient], reason: str) -> str:
    targets = ", ".join(f"{r.kind}:{r.value}" for r in chosen)
    why = " ".join(reason.split())[:500]
    return f"released to {targets}" + (f": {why}" if why else "")
