"""Reports over the API: drafts, the release workflow, attachments, acknowledgements, exports
and spillage. A report the caller may not see is not found, on every route; reads of a
report (get, export, attachment) are audited so that a spill can be traced to its readers."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from liaison.actions.release import TearLinePortion, do_release, do_return, do_sanitize
from liaison.actions.reports import (
    Location,
    NewPortion,
    do_acknowledge,
    do_add_attachment,
    do_create_report,
    do_declare_spill,
    do_new_version,
    do_note_read,
    do_remove_attachment,
    do_submit_report,
    do_update_report,
)
from liaison.api.etags import etag
from liaison.api.etags import if_match as if_match_version
from liaison.api.moments import moment_in
from liaison.api.report_views import (
    AttachmentOut,
    LabelJson,
    ReportOut,
    ReportSummary,
    attachment_out,
    report_out,
    report_summary,
)
from liaison.api.routes.organization import label_in
from liaison.api.uploads import receive_upload
from liaison.domain.errors import Invalid, NotFound
from liaison.domain.filenames import detect_content_type
from liaison.domain.reports import Audience, ReportKind, ReportState
from liaison.exports.package import bind
from liaison.exports.pdf import render_pdf
from liaison.http.deps import Caller, NodeDep, ReadSession
from liaison.queries import reports as queries
from liaison.queries.exports import export_document
from liaison.security import Label

router = APIRouter(prefix="/reports", tags=["reports"])


# --- request shapes ---------------------------------------------------------------------------


class PortionIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    label: LabelJson | None = None


class LocationIn(BaseModel):
    lat: float | None = None
    lon: float | None = None
    mgrs: str | None = Field(default=None, max_length=40)


class AudienceIn(BaseModel):
    kind: Literal["nation", "community", "office", "person"]
    value: str = Field(min_length=1, max_length=64)


class NewReport(BaseModel):
    kind: ReportKind
    title: str = Field(min_length=1, max_length=300)
    office_id: uuid.UUID
    dtg: str = Field(description="a date-time group (241530ZNOV26) or ISO 8601 with offset")
    portions: list[PortionIn] = Field(min_length=1, max_length=200)
    fields: dict[str, str] = Field(default_factory=dict, max_length=32)
    locations: list[LocationIn] = Field(default_factory=list, max_length=50)
    recipients: list[AudienceIn] = Field(default_factory=list, max_length=200)
    ack_by: str | None = None


class ReportChange(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    dtg: str | None = None
    portions: list[PortionIn] | None = Field(default=None, min_length=1, max_length=200)
    fields: dict[str, str] | None = Field(default=None, max_length=32)
    locations: list[LocationIn] | None = Field(default=None, max_length=50)
    recipients: list[AudienceIn] | None = Field(default=None, max_length=200)
    ack_by: str | None = None


class ReleaseIn(BaseModel):
    targets: list[AudienceIn] | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=2000)


class ReturnIn(BaseModel):
    comments: str = Field(min_length=1, max_length=4000)


class TearLinePortionIn(BaseModel):
    label: LabelJson
    text: str | None = Field(default=None, min_length=1, max_length=20_000)
    from_position: int | None = Field(default=None, ge=1)


class SanitizeIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    portions: list[TearLinePortionIn] = Field(min_length=1, max_length=200)
    recipients: list[AudienceIn] = Field(min_length=1, max_length=200)
    fields: dict[str, str] = Field(default_factory=dict, max_length=32)
    locations: list[LocationIn] = Field(default_factory=list, max_length=50)
    reason: str = Field(default="", max_length=2000)


class SpillIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def _required_moment(text: str) -> datetime:
    moment = moment_in(text, "dtg")
    assert moment is not None
    return moment


def _audiences(items: list[AudienceIn] | None) -> list[Audience] | None:
    if items is None:
        return None
    try:
        return [Audience.parse(item.kind, item.value) for item in items]
    except ValueError as error:
        raise Invalid(str(error), field="recipients") from None


def _portions(items: list[PortionIn] | None) -> list[NewPortion] | None:
    if items is None:
        return None
    return [NewPortion(item.text, label_in(item.label, "portions")) for item in items]


def _locations(items: list[LocationIn] | None) -> list[Location] | None:
    if items is None:
        return None
    return [Location(item.lat, item.lon, item.mgrs) for item in items]


def _required_label(data: LabelJson) -> Label:
    label = label_in(data, "portions")
    assert label is not None
    return label


def _answer(session: Session, caller: Caller, report: Any, response: Response) -> ReportOut:
    out = report_out(session, queries.view(session, caller, report))
    response.headers["ETag"] = etag(out.version)
    return out


# --- drafts and reading -----------------------------------------------------------------------


@router.post("", status_code=201)
def create_report(body: NewReport, caller: Caller, node: NodeDep, response: Response) -> ReportOut:
    with node.db.writing() as session:
        report = do_create_report(
            session,
            caller,
            kind=body.kind,
            title=body.title,
            office_id=body.office_id,
            dtg=_required_moment(body.dtg),
            portions=_portions(body.portions) or [],
            fields=body.fields,
            locations=_locations(body.locations) or [],
            recipients=_audiences(body.recipients) or [],
            ack_by=moment_in(body.ack_by, "ack_by"),
            origin=node.settings.node_name,
        )
        return _answer(session, caller, report, response)


class ReportPage(BaseModel):
    items: list[ReportSummary]
    next_cursor: str | None


@router.get("")
def list_reports(
    caller: Caller,
    session: ReadSession,
    state: ReportState | None = None,
    queue: bool = Query(default=False, description="the release queue (releasing officers)"),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = 50,
) -> ReportPage:
    page = queries.list_reports(
        session, caller, state=state, queue=queue, cursor=cursor, limit=limit
    )
    return ReportPage(
        items=[report_summary(session, row) for row in page.items], next_cursor=page.next_cursor
    )


@router.get("/{report_id}")
def get_report(
    report_id: uuid.UUID, caller: Caller, node: NodeDep, response: Response
) -> ReportOut:
    with node.db.writing() as session:  # the read is audited, and so is a refusal
        report = do_note_read(session, caller, report_id, "read")
        answer = _answer(session, caller, report, response) if report else None
    if answer is None:
        raise NotFound("no such report")
    return answer


@router.patch("/{report_id}")
def update_report(
    report_id: uuid.UUID,
    body: ReportChange,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None),
) -> ReportOut:
    with node.db.writing() as session:
        report = do_update_report(
            session,
            caller,
            report_id,
            expected_version=if_match_version(if_match),
            title=body.title,
            dtg=moment_in(body.dtg, "dtg"),
            fields=body.fields,
            locations=_locations(body.locations),
            portions=_portions(body.portions),
            recipients=_audiences(body.recipients),
            ack_by=moment_in(body.ack_by, "ack_by"),
        )
        return _answer(session, caller, report, response)


@router.post("/{report_id}/submit")
def submit_report(
    report_id: uuid.UUID,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None),
) -> ReportOut:
    with node.db.writing() as session:
        report = do_submit_report(
            session, caller, report_id, expected_version=if_match_version(if_match)
        )
        return _answer(session, caller, report, response)


@router.post("/{report_id}/versions", status_code=201)
def new_version(
    report_id: uuid.UUID, caller: Caller, node: NodeDep, response: Response
) -> ReportOut:
    with node.db.writing() as session:
        draft = do_new_version(session, caller, report_id, origin=node.settings.node_name)
        return _answer(session, caller, draft, response)


# --- the release workflow ---------------------------------------------------------------------


@router.post("/{report_id}/release")
def release_report(
    report_id: uuid.UUID,
    body: ReleaseIn,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None),
) -> ReportOut:
    with node.db.writing() as session:
        report = do_release(
            session,
            caller,
            report_id,
            targets=_audiences(body.targets),
            reason=body.reason,
            expected_version=if_match_version(if_match),
        )
        return _answer(session, caller, report, response)


@router.post("/{report_id}/return")
def return_report(
    report_id: uuid.UUID,
    body: ReturnIn,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None),
) -> ReportOut:
    with node.db.writing() as session:
        report = do_return(
            session,
            caller,
            report_id,
            comments=body.comments,
            expected_version=if_match_version(if_match),
        )
        return _answer(session, caller, report, response)


@router.post("/{report_id}/sanitize", status_code=201)
def sanitize_report(
    report_id: uuid.UUID, body: SanitizeIn, caller: Caller, node: NodeDep, response: Response
) -> ReportOut:
    with node.db.writing() as session:
        tear_line = do_sanitize(
            session,
            caller,
            report_id,
            title=body.title,
            portions=[
                TearLinePortion(_required_label(p.label), p.text, p.from_position)
                for p in body.portions
            ],
            recipients=_audiences(body.recipients) or [],
            fields=body.fields,
            locations=_locations(body.locations) or [],
            reason=body.reason,
            origin=node.settings.node_name,
        )
        return _answer(session, caller, tear_line, response)


# --- acknowledgements -------------------------------------------------------------------------


class AcknowledgementOut(BaseModel):
    report_id: uuid.UUID
    acknowledged_at: datetime


@router.post("/{report_id}/acknowledge")
def acknowledge(report_id: uuid.UUID, caller: Caller, node: NodeDep) -> AcknowledgementOut:
    with node.db.writing() as session:
        done = do_acknowledge(session, caller, report_id)
        return AcknowledgementOut(report_id=done.report_id, acknowledged_at=done.acknowledged_at)


class AckLineOut(BaseModel):
    user_id: uuid.UUID
    display_name: str
    nation: str
    acknowledged_at: datetime | None
    overdue: bool


class AckBoardOut(BaseModel):
    ack_by: datetime | None
    acknowledged: int
    waiting: int
    overdue: int
    readers: list[AckLineOut]


@router.get("/{report_id}/acknowledgements")
def acknowledgements(report_id: uuid.UUID, caller: Caller, session: ReadSession) -> AckBoardOut:
    board = queries.acknowledgement_board(session, caller, report_id)
    lines = [AckLineOut.model_validate(line, from_attributes=True) for line in board]
    report = queries.get_report(session, caller, report_id).report
    return AckBoardOut(
        ack_by=report.ack_by,
        acknowledged=sum(line.acknowledged_at is not None for line in lines),
        waiting=sum(line.acknowledged_at is None for line in lines),
        overdue=sum(line.overdue for line in lines),
        readers=lines,
    )


# --- attachments ------------------------------------------------------------------------------


@router.post("/{report_id}/attachments", status_code=201)
async def add_attachment(
    report_id: uuid.UUID,
    request: Request,
    caller: Caller,
    node: NodeDep,
    filename: str = Query(min_length=1, max_length=1000),
    label: str | None = Query(default=None, max_length=16_000, description="label JSON"),
) -> AttachmentOut:
    """The file is the request body (any content type): it is streamed to disk, and refused
    with 413 once it passes the node's limit."""
    blob = await receive_upload(request, node)

    def attach() -> AttachmentOut:
        with node.db.writing() as session:
            attachment = do_add_attachment(
                session,
                caller,
                report_id,
                filename=filename,
                content_type=detect_content_type(blob.head),
                blob=blob,
                label=label_in(_label_json(label), "label"),
                origin=node.settings.node_name,
            )
            return attachment_out(session, attachment)

    return await run_in_threadpool(attach)


def _label_json(text: str | None) -> LabelJson | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise Invalid("label must be the JSON of a label", field="label") from None
    if not isinstance(value, dict):
        raise Invalid("label must be the JSON of a label", field="label")
    return value


@router.get("/{report_id}/attachments/{attachment_id}")
def get_attachment(
    report_id: uuid.UUID, attachment_id: uuid.UUID, caller: Caller, node: NodeDep
) -> StreamingResponse:
    with node.db.writing() as session:
        seen = do_note_read(session, caller, report_id, "attachment")
        attachment = (
            queries.get_attachment(session, caller, report_id, attachment_id) if seen else None
        )
    if attachment is None:
        raise NotFound("no such attachment")
    content = node.files.open(attachment.sha256)
    return StreamingResponse(
        iter(lambda: content.read(1 << 16), b""),
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": _disposition(attachment.filename),
            "Content-Length": str(attachment.size),
            "Content-Security-Policy": "sandbox",
        },
    )


@router.delete("/{report_id}/attachments/{attachment_id}", status_code=204)
def remove_attachment(
    report_id: uuid.UUID, attachment_id: uuid.UUID, caller: Caller, node: NodeDep
) -> Response:
    with node.db.writing() as session:
        do_remove_attachment(session, caller, report_id, attachment_id)
    return Response(status_code=204)


def _disposition(filename: str) -> str:
    fallback = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


# --- exports ----------------------------------------------------------------------------------


@router.get("/{report_id}/export")
def export_report(
    report_id: uuid.UUID,
    caller: Caller,
    node: NodeDep,
    format: Literal["pdf", "package"] = "pdf",
) -> Response:
    """The report as the caller sees it: a bannered PDF, or a signed bound package (ZIP)."""
    with node.db.writing() as session:
        report = do_note_read(session, caller, report_id, "export")
        document = (
            export_document(session, caller, queries.view(session, caller, report))
            if report
            else None
        )
    if document is None:
        raise NotFound("no such report")
    if format == "pdf":
        data, media, suffix = render_pdf(document), "application/pdf", "pdf"
    else:
        data, media, suffix = bind(document, node.signer), "application/zip", "zip"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="report-{report_id}.{suffix}"'},
    )


# --- spillage ---------------------------------------------------------------------------------


@router.post("/{report_id}/spill")
def declare_spill(
    report_id: uuid.UUID, body: SpillIn, caller: Caller, node: NodeDep, response: Response
) -> ReportOut:
    with node.db.writing() as session:
        report = do_declare_spill(session, caller, report_id, reason=body.reason)
        return _answer(session, caller, report, response)


class ReadOut(BaseModel):
    at: datetime
    actor_id: uuid.UUID | None
    actor: str
    action: str
    decision: str


@router.get("/{report_id}/reads")
def who_read(report_id: uuid.UUID, caller: Caller, session: ReadSession) -> list[ReadOut]:
    """Who read the report, and when (security officers): a spill's trace."""
    return [
        ReadOut(
            at=entry.at,
            actor_id=entry.actor_id,
            actor=entry.actor,
            action=entry.action,
            decision=entry.decision,
        )
        for entry in queries.who_read(session, caller, report_id)
    ]
