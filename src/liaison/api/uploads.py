"""Receiving a file as a request body without trusting its declared size."""

from __future__ import annotations

import tempfile

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from liaison.domain.errors import TooLarge
from liaison.node import Node
from liaison.store.files import StoredBlob

_SPOOL_IN_MEMORY = 1 << 20
_CHUNK = 1 << 16


async def receive_upload(request: Request, node: Node) -> StoredBlob:
    """Stream the body into the node's file store; 413 as soon as it passes the limit.

    A declared Content-Length over the limit is refused before anything is read; a body that
    lies about its length, or is chunked, is cut off at the limit.
    """
    limit = node.settings.attachment_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    with tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(limit)
            spool.write(chunk)
        spool.seek(0)
        return await run_in_threadpool(
            node.files.put, iter(lambda: spool.read(_CHUNK), b""), max_bytes=limit
        )
