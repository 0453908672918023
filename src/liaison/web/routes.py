"""Browser sign-in and sign-out with a session cookie; the pages themselves grow in later issues."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from liaison.actions.accounts import do_sign_in, do_sign_out
from liaison.domain.accounts import MAX_PASSWORD_LENGTH, Principal
from liaison.http.deps import SESSION_COOKIE, NodeDep, holder
from liaison.node import Node
from liaison.queries.accounts import Holder

LOGIN_CSRF_COOKIE = "liaison_login_csrf"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


async def _signed_in(request: Request) -> Holder | None:
    return await holder(request, request.cookies.get(SESSION_COOKIE, ""), "session")


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    signed_in = await _signed_in(request)
    if signed_in is None:
        return RedirectResponse("/login", status_code=303)
    return templates.TemplateResponse(
        request,
        "home.html",
        {"principal": signed_in.principal, "csrf_token": signed_in.csrf_token},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, node: NodeDep) -> Response:
    return _login_page(request, node, error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    node: NodeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    csrf_token: Annotated[str, Form(max_length=128)],
    otp: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, node, error="Your sign-in form expired; try again.", status=403)
    with node.db.writing() as session:
        outcome = do_sign_in(
            session,
            node.accounts,
            node.sealer,
            username=username,
            password=password,
            otp=otp or None,
            kind="session",
        )
    if outcome.credential is None or outcome.secret is None:
        return _login_page(
            request,
            node,
            error="Sign-in refused: check the username, password and code.",
            status=401,
        )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        outcome.secret,
        max_age=node.settings.session_ttl_minutes * 60,
        httponly=True,
        secure=node.settings.cookie_secure,
        samesite="strict",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(
    request: Request, node: NodeDep, csrf_token: Annotated[str, Form(max_length=128)]
) -> Response:
    signed_in = await _signed_in(request)
    if signed_in is not None:
        if not hmac.compare_digest(signed_in.csrf_token or "", csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token")  # a forged sign-out
        await run_in_threadpool(_sign_out, node, signed_in.principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _sign_out(node: Node, principal: Principal) -> None:
    with node.db.writing() as session:
        do_sign_out(session, principal)


def _login_page(request: Request, node: Node, error: str | None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "error": error, "node_name": node.settings.node_name},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        secure=node.settings.cookie_secure,
        samesite="strict",
    )
    return response
