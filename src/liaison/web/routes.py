"""Sign-in (with the authenticator code when the account needs one), the home page, the
language switch and sign-out. The report pages are in `web.reports`, included here."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.actions.accounts import do_set_language, do_sign_in, do_sign_out
from liaison.domain.accounts import MAX_PASSWORD_LENGTH
from liaison.domain.errors import Invalid
from liaison.domain.reports import ReportState
from liaison.http.deps import SESSION_COOKIE, NodeDep
from liaison.node import Node
from liaison.queries.channels import awaiting_acknowledgement as awaiting_messages
from liaison.queries.notifications import list_notifications
from liaison.queries.people import office_expiring
from liaison.queries.reports import awaiting_acknowledgement, list_reports
from liaison.security import render_marking
from liaison.store.labels import authority_of
from liaison.store.types import utcnow
from liaison.web import (
    attachments,
    audit,
    channels,
    organization,
    people,
    reports,
    tear_lines,
)
from liaison.web.i18n import ENVIRONMENTS, LANGUAGES, choose_language, gettext
from liaison.web.pages import NODE_POLICY, Marks, WebDep, WebRoute, css_class, highest, render

LOGIN_CSRF_COOKIE = "liaison_login_csrf"
STATIC_DIR = Path(__file__).parent / "static"
HOME_ITEMS = 20
EXPIRING_WITHIN_DAYS = 90
router = APIRouter(include_in_schema=False, route_class=WebRoute)
router.include_router(reports.router)
router.include_router(reports.json_router)
for pages in (attachments, tear_lines, channels, organization, people, audit):
    router.include_router(pages.router)


@router.get("/", response_class=HTMLResponse, name="home")
def home(web: WebDep) -> Response:
    session, me = web.session, web.principal
    released = list_reports(session, me, state=ReportState.RELEASED, limit=HOME_ITEMS).items
    unacknowledged = awaiting_acknowledgement(session, me, limit=HOME_ITEMS)
    notifications = [
        (note, report)
        for note, report, _message in list_notifications(session, me, limit=HOME_ITEMS).items
        if report is not None
    ]
    messages = awaiting_messages(session, me, limit=HOME_ITEMS)
    expiring = office_expiring(session, me, within_days=EXPIRING_WITHIN_DAYS, today=utcnow().date())
    shown = {report.label_id for report in (*released, *unacknowledged)}
    shown |= {report.label_id for _note, report in notifications}
    shown |= {message.label_id for message in messages}
    shown |= {entry.person.label_id for entry in expiring or ()}
    context = {
        "released": released,
        "unacknowledged": unacknowledged,
        "notifications": notifications,
        "messages": messages,
        "expiring": expiring,
        "expiring_days": EXPIRING_WITHIN_DAYS,
    }
    return render(web, "home.html", context, shown)


@router.post("/web/language")
def set_language(
    web: WebDep,
    language: Annotated[str, Form(max_length=8)],
    csrf_token: Annotated[str, Form(max_length=128)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    web.check_csrf(csrf_token)
    if language not in LANGUAGES:
        raise Invalid(f"unknown language {language!r}: expected en or fr", field="language")
    with web.node.db.writing() as session:
        do_set_language(session, web.principal, language)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


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
    language = _browser_language(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        error = gettext(language, "Your sign-in form expired; try again.")
        return _login_page(request, node, error=error, status=403)
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
        # One answer for every refusal: asking for the code only after a right password would
        # tell a guesser that the password was right (the form always offers the code field).
        message = "Sign-in refused: check the username, password and code."
        return _login_page(
            request, node, error=gettext(language, message), status=401, username=username
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
def logout(web: WebDep, csrf_token: Annotated[str, Form(max_length=128)]) -> Response:
    web.check_csrf(csrf_token)  # a forged sign-out is refused
    with web.node.db.writing() as session:
        do_sign_out(session, web.principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _browser_language(request: Request) -> str:
    return choose_language(None, request.headers.get("accept-language", ""))


def _login_page(
    request: Request,
    node: Node,
    error: str | None,
    status: int = 200,
    *,
    username: str = "",
) -> Response:
    """The sign-in form, with a fresh double-submit CSRF token; bannered at the node's lowest
    marking, since it shows nothing labelled."""
    language = _browser_language(request)
    with node.db.reading() as session:
        registry = authority_of(session).registry
        banner_label = highest([], registry.get)
        policy = registry.require(NODE_POLICY)
    marking = render_marking(policy, banner_label, lang=language)
    token = secrets.token_urlsafe(32)
    html = (
        ENVIRONMENTS[language]
        .get_template("login.html")
        .render(
            web=None,
            lang=language,
            banner=Marks(marking, marking, css_class(banner_label)),
            csrf_token=token,
            error=error,
            node_name=node.settings.node_name,
            username=username,
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        secure=node.settings.cookie_secure,
        samesite="strict",
    )
    return response
