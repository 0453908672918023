"""Sanitizing a report into a tear line: a releasing officer of the report's nation (not its
writer) keeps or rewrites each portion under a label of their choice, and releases the result
at once to the distribution they pick."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from liaison.actions.release import TearLinePortion, do_sanitize
from liaison.domain.errors import Forbidden, Invalid, LiaisonError
from liaison.queries import reports as queries
from liaison.web.pages import Web, WebDep, WebRoute, render
from liaison.web.picker import audiences, picked_label, picker_values
from liaison.web.reports import can_sanitize, node_picker

router = APIRouter(route_class=WebRoute)


def _original(web: Web, report_id: uuid.UUID) -> queries.ReportView:
    shown = queries.get_report(web.session, web.principal, report_id)
    if not can_sanitize(web, shown.report):
        raise Forbidden("a releasing officer of its nation, not its writer, sanitizes a report")
    return shown


def _render(
    web: Web,
    shown: queries.ReportView,
    values: dict[str, Any],
    error: str | None = None,
) -> Response:
    labels = [shown.report.label_id, *(portion.label_id for portion in shown.portions)]
    context = {"view": shown, "picker": node_picker(web), "values": values, "error": error}
    status = 422 if error else 200
    return render(web, "reports/sanitize.html", context, labels, status_code=status)


@router.get("/reports/{report_id}/sanitize", name="sanitize")
def sanitize_page(report_id: uuid.UUID, web: WebDep) -> Response:
    shown = _original(web, report_id)
    portions = {
        portion.position: {"include": True, "text": ""} | picker_values(web.label(portion.label_id))
        for portion in shown.portions
    }
    values = {"title": shown.report.title, "portions": portions, "recipients": [], "reason": ""}
    return _render(web, shown, values)


@router.post("/reports/{report_id}/sanitize")
async def sanitize(report_id: uuid.UUID, request: Request, web: WebDep) -> Response:
    form = await request.form()
    return await run_in_threadpool(_sanitize, web, report_id, form)


def _form_values(shown: queries.ReportView, form: FormData) -> dict[str, Any]:
    portions = {
        portion.position: {
            "include": f"portion-{portion.position}-include" in form,
            "text": str(form.get(f"portion-{portion.position}-text", "")).strip(),
            "classification": str(form.get(f"portion-{portion.position}-classification", "")),
            "releasable": [str(v) for v in form.getlist(f"portion-{portion.position}-releasable")],
        }
        for portion in shown.portions
    }
    return {
        "title": str(form.get("title", "")).strip(),
        "portions": portions,
        "recipients": [str(v) for v in form.getlist("recipient")],
        "reason": str(form.get("reason", "")),
    }


def _tear_line_portions(web: Web, values: dict[str, Any]) -> list[TearLinePortion]:
    """The portions kept (by position) or rewritten; rewritten text wins over the original."""
    policy = node_picker(web).policy
    chosen = []
    for position, portion in values["portions"].items():
        if not (portion["text"] or portion["include"]):
            continue
        if not portion["classification"]:
            raise Invalid(f"portion {position}: choose its classification", field="portions")
        label = picked_label(policy, portion["classification"], portion["releasable"])
        if portion["text"]:
            chosen.append(TearLinePortion(label, text=portion["text"]))
        else:
            chosen.append(TearLinePortion(label, from_position=position))
    return chosen


def _sanitize(web: Web, report_id: uuid.UUID, form: FormData) -> Response:
    web.check_csrf(str(form.get("csrf_token", "")))
    shown = _original(web, report_id)
    values = _form_values(shown, form)
    try:
        with web.node.db.writing() as session:
            tear_line = do_sanitize(
                session,
                web.principal,
                report_id,
                title=values["title"],
                portions=_tear_line_portions(web, values),
                recipients=audiences(values["recipients"]),
                reason=values["reason"],
                origin=web.node.settings.node_name,
            )
            tear_line_id = tear_line.id
    except (LiaisonError, ValueError) as error:
        return _render(web, shown, values, str(error))
    return RedirectResponse(f"/reports/{tear_line_id}", status_code=303)
