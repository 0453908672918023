"""Dependencies shared by the routes: the node, units of work, and the authenticated caller."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from liaison.actions.accounts import TOKEN_PREFIX, secret_digest
from liaison.domain.accounts import Principal
from liaison.node import Node
from liaison.queries.accounts import csrf_token_of, principal_for_secret

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


def authenticate(request: Request, node: NodeDep) -> Principal:
    """Bearer token for API clients; session cookie (plus CSRF header on writes) for browsers."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.startswith(TOKEN_PREFIX):
        with node.db.reading() as session:
            principal = principal_for_secret(session, secret_digest(token), "api")
        if principal is None:
            raise _UNAUTHENTICATED
        return principal
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if cookie.startswith(TOKEN_PREFIX):
        with node.db.reading() as session:
            principal = principal_for_secret(session, secret_digest(cookie), "session")
            if principal is not None and request.method not in SAFE_METHODS:
                _check_csrf(request, session, principal)
        if principal is not None:
            return principal
    raise _UNAUTHENTICATED


def _check_csrf(request: Request, session: Session, principal: Principal) -> None:
    assert principal.credential_id is not None
    expected = csrf_token_of(session, principal.credential_id) or ""
    given = request.headers.get(CSRF_HEADER, "")
    if not expected or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "missing or wrong CSRF token")


Caller = Annotated[Principal, Depends(authenticate)]
