"""Attaching a file to a draft from its page: a multipart form with the file and a label.

The body is counted as it arrives and cut off a little past the node's attachment limit (the
multipart envelope's allowance), so a huge upload is never spooled whole; the file is then
read in chunks into the node's file store, which refuses it past the limit itself. Either way
the answer is a 413 page and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from liaison.actions.reports import do_add_attachment
from liaison.domain.errors import Invalid, TooLarge
from liaison.domain.filenames import detect_content_type
from liaison.store.files import StoredBlob
from liaison.web.pages import Web, WebDep, WebRoute
from liaison.web.picker import picked_label
from liaison.web.reports import editable_view, node_picker

router = APIRouter(route_class=WebRoute)
ENVELOPE_BYTES = 64 * 1024  # room for the form's other fields and the multipart boundaries
_CHUNK = 1 << 16


def _capped(receive: Receive, limit: int) -> Receive:
    """`receive`, raising TooLarge once the body passes `limit` bytes."""
    size = 0

    async def capped() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise TooLarge(limit)
        return message

    return capped


@router.post("/reports/{report_id}/attachments")
async def attach(report_id: uuid.UUID, request: Request, web: WebDep) -> Response:
    await run_in_threadpool(editable_view, web, report_id)  # refused before anything is read
    limit = web.node.settings.attachment_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE_BYTES:
        raise TooLarge(limit)
    body = Request(request.scope, _capped(request.receive, limit + ENVELOPE_BYTES))
    async with body.form(max_files=1, max_fields=200) as form:
        web.check_csrf(str(form.get("csrf_token", "")))
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid("choose a file to attach", field="file")
        classification = str(form.get("attachment-classification", ""))
        releasable = [str(value) for value in form.getlist("attachment-releasable")]
        blob = await run_in_threadpool(web.node.files.put, _chunks(upload), max_bytes=limit)
        filename = upload.filename
    await run_in_threadpool(_attach, web, report_id, filename, blob, classification, releasable)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    upload.file.seek(0)
    return iter(lambda: upload.file.read(_CHUNK), b"")


def _attach(
    web: Web,
    report_id: uuid.UUID,
    filename: str,
    blob: StoredBlob,
    classification: str,
    releasable: list[str],
) -> None:
    policy = node_picker(web).policy
    label = picked_label(policy, classification, releasable) if classification else None
    with web.node.db.writing() as session:
        do_add_attachment(
            session,
            web.principal,
            report_id,
            filename=filename,
            content_type=detect_content_type(blob.head),
            blob=blob,
            label=label,
            origin=web.node.settings.node_name,
        )
