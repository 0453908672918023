"""The audit viewer, for security officers (others are answered 403): entries newest first,
filtered by action and object id, a page at a time, with the latest signed checkpoint.

An entry about a labelled record is listed only if the reader may read its label, and shows
that label's marking; the banner counts them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from liaison.domain.accounts import Role
from liaison.domain.errors import NotFound
from liaison.queries.audit import AuditFilter, latest_checkpoint, list_entries
from liaison.web.pages import WebDep, WebRoute, render

router = APIRouter(route_class=WebRoute)
PAGE_SIZE = 50


@router.get("/audit", name="audit")
def audit_page(
    web: WebDep,
    action: Annotated[str, Query(max_length=64)] = "",
    object_id: Annotated[str, Query(max_length=64)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    web.principal.require(Role.SECURITY_OFFICER)
    where = AuditFilter(action=action.strip() or None, object_id=object_id.strip() or None)
    page = list_entries(web.session, web.principal, where, cursor, PAGE_SIZE)
    try:
        checkpoint = latest_checkpoint(web.session, web.principal)
    except NotFound:
        checkpoint = None
    labels = {entry.idx: int(entry.label_id) for entry in page.items if entry.label_id}
    context = {
        "entries": page.items,
        "labels": labels,
        "next": page.next_cursor,
        "action": action,
        "object_id": object_id,
        "checkpoint": checkpoint,
    }
    return render(web, "audit/list.html", context, labels.values())
