"""Report pages: the list and search with facets, reading with portion marks, composing with a
label per portion, the release queue, and the JSON endpoint behind the live overall marking.

Every read goes through the queries the API uses (`queries.reports`, `queries.search`), every
change through the actions; a report the reader may not see is "not found" on every route.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from liaison.actions.release import do_release, do_return
from liaison.actions.reports import (
    NewPortion,
    do_acknowledge,
    do_create_report,
    do_note_read,
    do_submit_report,
    do_update_report,
)
from liaison.domain.dtg import format_dtg, parse_dtg
from liaison.domain.errors import Conflict, Invalid, LiaisonError, NotFound, Stale
from liaison.domain.reports import EDITABLE_STATES, ReportKind, ReportState, release_refusal
from liaison.queries import reports as queries
from liaison.queries.organization import list_offices
from liaison.queries.search import SearchFilter, SearchResult, search_reports
from liaison.security import LabelError, RollupError, render_marking, rollup
from liaison.security.marking import MarkingLocation
from liaison.store.models import Office, Report
from liaison.store.types import utcnow
from liaison.web.pages import NODE_POLICY, Web, WebDep, WebRoute, css_class, page_id, render
from liaison.web.picker import Picker, audiences, picked_label, picker, picker_values

router = APIRouter(route_class=WebRoute)
json_router = APIRouter()  # answers in JSON, errors as problem details
PAGE_SIZE = 25
MIN_PORTIONS = 2
MAX_PORTIONS = 50
FACETS = ("kind", "nation", "office", "classification")


def _offices(web: Web) -> list[Office]:
    """The offices the reader sees (a report is written for one of them)."""
    return list_offices(web.session, web.principal)


def node_picker(web: Web) -> Picker:
    """The label picker of the node's policy, in the reader's language."""
    policy = web.policy(NODE_POLICY)
    if policy is None:
        raise RuntimeError(f"the node has no {NODE_POLICY} policy")
    return picker(policy, web.language)


# --- list and search --------------------------------------------------------------------------


@router.get("/reports", name="reports")
def reports_page(
    web: WebDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str | None, Query(max_length=16)] = None,
    nation: Annotated[str | None, Query(max_length=3)] = None,
    office: Annotated[str | None, Query(max_length=36)] = None,
    classification: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    session, me = web.session, web.principal
    context: dict[str, Any] = {"q": q, "error": None, "result": None, "cursor": cursor}
    offices = {o.id: o for o in _offices(web)}
    shown: list[int] = []
    if q.strip():
        where = SearchFilter(
            kind=kind or None,
            nation=nation or None,
            office_id=page_id(office) if office else None,
            classification=classification or None,
        )
        try:
            result: SearchResult | None = search_reports(
                session, me, q, where, cursor=cursor, limit=PAGE_SIZE
            )
        except Invalid as error:
            result, context["error"] = None, str(error)
        if result is not None:
            shown = [hit.report.label_id for hit in result.items]
            office_facet = result.facets.get("office", {})
            shown += [offices[o].label_id for o in offices if str(o) in office_facet]
        context |= {
            "result": result,
            "selected": {
                "kind": kind,
                "nation": nation,
                "office": office,
                "classification": classification,
            },
            "facet_names": FACETS,
        }
    else:
        page = queries.list_reports(session, me, cursor=cursor, limit=PAGE_SIZE)
        context["page"] = page
        shown = [report.label_id for report in page.items]
    context["office_names"] = {str(o.id): o.name for o in offices.values()}
    return render(web, "reports/list.html", context, shown)


# --- the release queue ------------------------------------------------------------------------


@router.get("/reports/queue", name="release_queue")
def queue_page(web: WebDep) -> Response:
    page = queries.list_reports(web.session, web.principal, queue=True, limit=PAGE_SIZE)
    views = [queries.view(web.session, web.principal, report) for report in page.items]
    shown = [view.report.label_id for view in views]
    return render(web, "reports/queue.html", {"views": views}, shown)


# --- compose ----------------------------------------------------------------------------------


def _compose_context(
    web: Web, values: dict[str, Any], error: str | None, report: Report | None
) -> dict[str, Any]:
    return {
        "kinds": [kind.value for kind in ReportKind],
        "offices": _offices(web),
        "picker": node_picker(web),
        "values": values,
        "error": error,
        "report": report,  # the report being edited; None when writing a new one
    }


def _blank_values() -> dict[str, Any]:
    return {
        "title": "",
        "kind": ReportKind.FREETEXT.value,
        "dtg": format_dtg(utcnow()),
        "office": "",
        "portions": [{"text": "", "classification": "", "releasable": []}] * MIN_PORTIONS,
        "recipients": [],
    }


def _render_compose(
    web: Web,
    values: dict[str, Any],
    error: str | None = None,
    *,
    report: Report | None = None,
    status_code: int | None = None,
) -> Response:
    context = _compose_context(web, values, error, report)
    shown = [office.label_id for office in context["offices"]]
    if report is not None:
        shown.append(report.label_id)
    status = status_code or (422 if error else 200)
    return render(web, "reports/compose.html", context, shown, status_code=status)


@router.get("/reports/new", name="compose")
def compose_page(web: WebDep) -> Response:
    return _render_compose(web, _blank_values())


@router.post("/reports/new")
async def compose(request: Request, web: WebDep) -> Response:
    form = await request.form()
    return await run_in_threadpool(_compose, web, form)


def _form_values(form: FormData) -> dict[str, Any]:
    count = min(int(str(form.get("portion_count", MIN_PORTIONS)) or MIN_PORTIONS), MAX_PORTIONS)
    portions = [
        {
            "text": str(form.get(f"portion-{i}-text", "")),
            "classification": str(form.get(f"portion-{i}-classification", "")),
            "releasable": [str(v) for v in form.getlist(f"portion-{i}-releasable")],
        }
        for i in range(count)
    ]
    return {
        "title": str(form.get("title", "")).strip(),
        "kind": str(form.get("kind", "")),
        "dtg": str(form.get("dtg", "")).strip(),
        "office": str(form.get("office", "")),
        "portions": portions,
        "recipients": [str(v) for v in form.getlist("recipient")],
    }


def _checked_form(web: Web, form: FormData) -> tuple[dict[str, Any], str]:
    """The compose form's values and the button pressed ("add" adds a blank portion)."""
    web.check_csrf(str(form.get("csrf_token", "")))
    try:
        values = _form_values(form)
    except ValueError:
        raise Invalid("malformed form") from None
    action = str(form.get("action", "save"))
    if action == "add" and len(values["portions"]) < MAX_PORTIONS:
        values["portions"].append({"text": "", "classification": "", "releasable": []})
    return values, action


def _compose(web: Web, form: FormData) -> Response:
    values, action = _checked_form(web, form)
    if action == "add":
        return _render_compose(web, values)
    try:
        report_id = _create(web, values, submit=action == "submit")
    except (LiaisonError, ValueError) as error:
        return _render_compose(web, values, str(error))
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


def _new_portions(web: Web, values: dict[str, Any]) -> list[NewPortion]:
    policy = node_picker(web).policy
    portions = [
        NewPortion(p["text"], picked_label(policy, p["classification"], p["releasable"]))
        if p["classification"]
        else NewPortion(p["text"])
        for p in values["portions"]
        if p["text"].strip()
    ]
    if not portions:
        raise Invalid("write at least one portion", field="portions")
    return portions


def _create(web: Web, values: dict[str, Any], *, submit: bool) -> uuid.UUID:
    """Save the composed report as a draft, and submit it when asked."""
    portions = _new_portions(web, values)
    if values["kind"] not in {kind.value for kind in ReportKind}:
        raise Invalid("choose a report kind", field="kind")
    with web.node.db.writing() as session:
        report = do_create_report(
            session,
            web.principal,
            kind=ReportKind(values["kind"]),
            title=values["title"],
            office_id=page_id(values["office"]),
            dtg=parse_dtg(values["dtg"]),
            portions=portions,
            recipients=audiences(values["recipients"]),
            origin=web.node.settings.node_name,
        )
        if submit:
            do_submit_report(session, web.principal, report.id)
        return report.id


# --- editing a draft or a returned report -----------------------------------------------------


def editable_view(web: Web, report_id: uuid.UUID) -> queries.ReportView:
    """The reader's own draft or returned report; any other report they see is a Conflict."""
    shown = queries.get_report(web.session, web.principal, report_id)
    if not _can_edit(web, shown.report):
        raise Conflict("only your own draft or returned report can be edited")
    return shown


def _can_edit(web: Web, report: Report) -> bool:
    return report.author_id == web.principal.user_id and report.state in EDITABLE_STATES


def _report_values(web: Web, shown: queries.ReportView) -> dict[str, Any]:
    report = shown.report
    return {
        "title": report.title,
        "kind": report.kind,
        "dtg": format_dtg(report.dtg),
        "office": str(report.office_id),
        "portions": [
            {"text": portion.text} | picker_values(web.label(portion.label_id))
            for portion in shown.portions
        ],
        "recipients": [f"{r.kind}:{r.value}" for r in shown.recipients],
    }


@router.get("/reports/{report_id}/edit", name="edit_report")
def edit_page(report_id: uuid.UUID, web: WebDep) -> Response:
    shown = editable_view(web, report_id)
    return _render_compose(web, _report_values(web, shown), report=shown.report)


@router.post("/reports/{report_id}/edit")
async def edit(report_id: uuid.UUID, request: Request, web: WebDep) -> Response:
    form = await request.form()
    return await run_in_threadpool(_edit, web, report_id, form)


def _edit(web: Web, report_id: uuid.UUID, form: FormData) -> Response:
    report = editable_view(web, report_id).report
    values, action = _checked_form(web, form)
    values |= {"kind": report.kind, "office": str(report.office_id)}  # fixed once written
    if action == "add":
        return _render_compose(web, values, report=report)
    version = str(form.get("version", ""))
    if not version.isdigit():
        raise Invalid("malformed form")
    try:
        with web.node.db.writing() as session:
            do_update_report(
                session,
                web.principal,
                report_id,
                expected_version=int(version),
                title=values["title"],
                dtg=parse_dtg(values["dtg"]),
                portions=_new_portions(web, values),
                recipients=audiences(values["recipients"]),
            )
            if action == "submit":
                do_submit_report(session, web.principal, report_id)
    except Stale:
        stale = web.gettext(
            "Someone changed this report since you opened it: nothing was saved. "
            "Open it again to see the current version."
        )
        return _render_compose(web, values, stale, report=report, status_code=409)
    except (LiaisonError, ValueError) as error:
        return _render_compose(web, values, str(error), report=report)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


# --- reading ----------------------------------------------------------------------------------


@router.get("/reports/{report_id}", name="report")
def report_page(report_id: uuid.UUID, web: WebDep) -> Response:
    with web.node.db.writing() as session:  # the read is audited, and so is a refusal
        seen = do_note_read(session, web.principal, report_id, "read") is not None
    if not seen:
        raise NotFound("no such report")
    shown = queries.get_report(web.session, web.principal, report_id)
    report = shown.report
    me = web.principal
    labels = [report.label_id]
    labels += [portion.label_id for portion in shown.portions]
    labels += [attachment.label_id for attachment in shown.attachments]
    context = {
        "view": shown,
        "report": report,
        "can_submit": _can_edit(web, report),
        "can_acknowledge": report.state == ReportState.RELEASED
        and report.author_id != me.user_id
        and shown.acknowledged_at is None,
        "can_decide": _can_decide(web, report),
        "can_sanitize": can_sanitize(web, report),
        "picker": node_picker(web),
    }
    return render(web, "reports/read.html", context, labels)


def can_sanitize(web: Web, report: Report) -> bool:
    """Whether to offer a tear line: the release decider's rule, on a submitted or released
    report that is not quarantined (the action checks again)."""
    return report.state in (ReportState.SUBMITTED, ReportState.RELEASED) and _decider(web, report)


def _can_decide(web: Web, report: Report) -> bool:
    return report.state == ReportState.SUBMITTED and _decider(web, report)


def _decider(web: Web, report: Report) -> bool:
    refusal = release_refusal(
        web.principal, author_id=report.author_id, author_nation=report.author_nation
    )
    return refusal is None and report.quarantined_at is None


@router.post("/reports/{report_id}/submit")
def submit(
    report_id: uuid.UUID, web: WebDep, csrf_token: Annotated[str, Form(max_length=128)]
) -> Response:
    web.check_csrf(csrf_token)
    with web.node.db.writing() as session:
        do_submit_report(session, web.principal, report_id)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/reports/{report_id}/acknowledge")
def acknowledge(
    report_id: uuid.UUID, web: WebDep, csrf_token: Annotated[str, Form(max_length=128)]
) -> Response:
    web.check_csrf(csrf_token)
    with web.node.db.writing() as session:
        do_acknowledge(session, web.principal, report_id)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/reports/{report_id}/release")
def release(
    report_id: uuid.UUID,
    web: WebDep,
    csrf_token: Annotated[str, Form(max_length=128)],
    target: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Release to the chosen targets (all waiting entries when none is ticked)."""
    web.check_csrf(csrf_token)
    targets = _targets(target or [])
    with web.node.db.writing() as session:
        do_release(session, web.principal, report_id, targets=targets or None, reason=reason)
    return RedirectResponse("/reports/queue", status_code=303)


def _targets(entries: Sequence[str]) -> list[Any]:
    try:
        return audiences(entries)
    except ValueError as error:
        raise Invalid(str(error), field="target") from None


@router.post("/reports/{report_id}/return")
def return_report(
    report_id: uuid.UUID,
    web: WebDep,
    csrf_token: Annotated[str, Form(max_length=128)],
    comments: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    web.check_csrf(csrf_token)
    with web.node.db.writing() as session:
        do_return(session, web.principal, report_id, comments=comments)
    return RedirectResponse("/reports/queue", status_code=303)


# --- the live marking -------------------------------------------------------------------------


class PickedLabel(BaseModel):
    classification: str = Field(max_length=40)
    releasable: list[str] = Field(default_factory=list, max_length=100)


class MarkingRequest(BaseModel):
    portions: list[PickedLabel] = Field(min_length=1, max_length=MAX_PORTIONS)


@json_router.post("/web/marking")
def marking(body: MarkingRequest, web: WebDep) -> JSONResponse:
    """The overall marking (rollup) and portion marks of the labels chosen in the compose form;
    the session's CSRF token comes in the X-CSRF-Token header."""
    web.check_csrf(web.request.headers.get("x-csrf-token", ""))
    policy = web.policy(NODE_POLICY)
    assert policy is not None
    labels = [picked_label(policy.name, p.classification, p.releasable) for p in body.portions]
    try:
        portions = [
            render_marking(policy, label, lang=web.language, location=MarkingLocation.PORTION)
            for label in labels
        ]
        overall = rollup(policy, labels)
    except (LabelError, RollupError) as error:
        return JSONResponse({"error": str(error)}, status_code=422)
    return JSONResponse(
        {
            "marking": render_marking(policy, overall, lang=web.language),
            "css": css_class(overall),
            "portions": portions,
        }
    )
