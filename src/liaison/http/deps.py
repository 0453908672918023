"""Dependencies shared by the routes: the node, read sessions, and the authenticated caller."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from liaison.actions.accounts import TOKEN_PREFIX
from liaison.domain.accounts import Principal
from liaison.http.credentials import CredentialCache
from liaison.node import Node
from liaison.queries.accounts import Holder

SESSION_COOKIE = "liaison_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNAUTHENTICATED = HTTPException(401, "sign in, or send a valid bearer token")


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def reading(node: NodeDep) -> Iterator[Session]:
    with node.db.reading() as session:
        yield session


ReadSession = Annotated[Session, Depends(reading)]


async def holder(request: Request, secret: str, kind: str) -> Holder | None:
    """The holder of a bearer secret: from the cache, else from the database off the loop."""
    credentials: CredentialCache = request.app.state.credentials
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return credentials.cached(secret, kind) or await run_in_threadpool(
        credentials.load, secret, kind
    )


async def authenticate(request: Request) -> Principal:
    """Bearer token for API clients; session cookie (plus CSRF header on writes) for browsers."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found = await holder(request, token, "api")
        if found is None:
            raise _UNAUTHENTICATED
        return found.principal
    found = await holder(request, request.cookies.get(SESSION_COOKIE, ""), "session")
    if found is None:
        raise _UNAUTHENTICATED
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER, "")
        if not found.csrf_token or not hmac.compare_digest(found.csrf_token, given):
            raise HTTPException(403, "missing or wrong CSRF token")
    return found.principal


Caller = Annotated[Principal, Depends(authenticate)]
