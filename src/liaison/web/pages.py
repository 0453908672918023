"""How every page is made: the signed-in reader (`Web`), and `render`, which bannered a page
with the highest marking of what it shows.

A page module writes, for instance::

    @router.get("/offices/{office_id}")
    def office_page(office_id: uuid.UUID, web: WebDep) -> Response:
        office = org.get_office(web.session, web.principal, office_id)
        return render(web, "office.html", {"office": office}, [office.label_id])

- `WebDep` signs the reader in (strangers are sent to /login) and opens a read session;
- `render` takes the ids of the labels (`labels.id`) of everything the page shows, and puts
  their rollup (else the highest of them; else the node policy's lowest classification) in
  the banners at the top and bottom; templates get `web`, `_()` and `{% trans %}`, `marks(id)`
  for an item's own marking and `dtg(moment)` for date-time groups;
- a `LiaisonError` raised by a query or action (NotFound, Forbidden, Invalid, Conflict) becomes
  an HTML error page with the same status; a report one may not see is simply "not found".
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.routing import NoMatchFound

from liaison.domain.accounts import Principal, Role
from liaison.domain.dtg import format_dtg_in
from liaison.domain.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LiaisonError,
    NotFound,
    TooLarge,
)
from liaison.http.deps import SESSION_COOKIE, holder
from liaison.node import Node
from liaison.queries.accounts import Holder
from liaison.security import (
    Label,
    MarkingLocation,
    Policy,
    RollupError,
    label_from_json,
    render_marking,
    rollup,
)
from liaison.store.labels import authority_of
from liaison.store.models import StoredLabel, User
from liaison.web.i18n import ENVIRONMENTS, choose_language, gettext

NODE_POLICY = "NATO"  # the policy a page showing nothing labelled is bannered under

# Banner colours by classification name (see liaison.css); unknown names are shown in blue.
_COLOURS = (
    ("TOP SECRET", "top-secret"),
    ("SECRET", "secret"),
    ("CONFIDENTIAL", "confidential"),
    ("RESTRICTED", "restricted"),
    ("UNCLASSIFIED", "unclassified"),
    ("OFFICIAL", "unclassified"),
)


@dataclass(frozen=True, slots=True)
class NavItem:
    """A navigation entry, shown when the app has a route of that name (pages still to come
    appear once they are registered) and the reader holds one of `roles` (if any)."""

    route: str
    text: str  # an English msgid, translated when rendered
    roles: frozenset[Role] = frozenset()


NAV = (
    NavItem("home", "Home"),
    NavItem("reports", "Reports"),
    NavItem("release_queue", "Release queue", frozenset({Role.RELEASING_OFFICER})),
    NavItem("channels", "Channels"),
    NavItem("organization", "Organization"),
    NavItem("people", "People"),
    NavItem("audit", "Audit", frozenset({Role.SECURITY_OFFICER})),
)


@dataclass(frozen=True, slots=True)
class Marks:
    """A label as a page shows it: its marking, its portion mark, and the banner colour class."""

    marking: str
    portion: str
    css: str


@dataclass
class Web:
    """The signed-in reader of a page, with their read session, language and time zone."""

    request: Request
    node: Node
    session: Session
    principal: Principal
    csrf_token: str
    language: str
    time_zone: ZoneInfo
    _marks: dict[int, tuple[Label, Marks]] = field(default_factory=dict)

    def check_csrf(self, token: str) -> None:
        """Refuse a form that does not carry this session's CSRF token."""
        if not self.csrf_token or not hmac.compare_digest(self.csrf_token, token):
            raise Forbidden("missing or wrong CSRF token")

    def dtg(self, moment: datetime | None) -> str:
        return "" if moment is None else format_dtg_in(moment, self.time_zone)

    def marks(self, label_id: int) -> Marks:
        """The marking of a stored label, in the reader's language."""
        return self._label(label_id)[1]

    def label(self, label_id: int) -> Label:
        """A stored label."""
        return self._label(label_id)[0]

    def _label(self, label_id: int) -> tuple[Label, Marks]:
        if label_id not in self._marks:
            stored = self.session.get(StoredLabel, label_id)
            if stored is None:  # the foreign key holds
                raise RuntimeError(f"label {label_id} is missing")
            label = label_from_json(stored.canonical)
            self._marks[label_id] = (label, self.label_marks(label))
        return self._marks[label_id]

    def policy(self, name: str = NODE_POLICY) -> Policy | None:
        return authority_of(self.session).registry.get(name)

    def label_marks(self, label: Label) -> Marks:
        """The markings of a label (stored or not) under its policy."""
        policy = self.policy(label.policy)
        if policy is None:
            return Marks(label.classification, label.classification, css_class(label))
        return Marks(
            render_marking(policy, label, lang=self.language),
            render_marking(policy, label, lang=self.language, location=MarkingLocation.PORTION),
            css_class(label),
        )

    def banner(self, label_ids: Iterable[int]) -> Marks:
        """The highest marking of the labels shown: their rollup when they have one, else the
        label with the highest classification; the node policy's lowest when there are none."""
        labels = [self._label(label_id)[0] for label_id in dict.fromkeys(label_ids)]
        return self.label_marks(highest(labels, self.policy))

    def gettext(self, message: str) -> str:
        return gettext(self.language, message)


def css_class(label: Label) -> str:
    """The banner colour class of a label's classification."""
    name = label.classification.upper()
    return next((css for word, css in _COLOURS if word in name), "restricted")


def highest(labels: list[Label], policy_of: Callable[[str], Policy | None]) -> Label:
    """The label a banner shows for `labels` (see `Web.banner`)."""
    if not labels:
        policy = policy_of(NODE_POLICY)
        if policy is None:
            raise RuntimeError(f"the node has no {NODE_POLICY} policy")
        lowest = min(policy.classifications, key=lambda c: c.hierarchy)
        return Label(policy.name, lowest.name)
    policies = {label.policy for label in labels}
    policy = policy_of(labels[0].policy) if len(policies) == 1 else None
    if policy is not None:
        try:
            return rollup(policy, labels)
        except RollupError:
            pass

    def rank(label: Label) -> int:
        known = policy_of(label.policy)
        found = known.index.classes_by_name.get(label.classification) if known else None
        return found.hierarchy if found else 0

    return max(labels, key=rank)


async def _signed_in(request: Request) -> Holder:
    found = await holder(request, request.cookies.get(SESSION_COOKIE, ""), "session")
    if found is None:
        raise HTTPException(303, "sign in first", headers={"Location": "/login"})
    return found


def _web(request: Request, signed_in: Annotated[Holder, Depends(_signed_in)]) -> Iterator[Web]:
    node: Node = request.app.state.node
    with node.db.reading() as session:
        user = session.get(User, signed_in.principal.user_id)
        chosen = user.language if user is not None else None
        zone = user.time_zone if user is not None else None
        web = Web(
            request=request,
            node=node,
            session=session,
            principal=signed_in.principal,
            csrf_token=signed_in.csrf_token or "",
            language=choose_language(chosen, request.headers.get("accept-language", "")),
            time_zone=ZoneInfo(zone or "UTC"),
        )
        request.state.web = web
        yield web


WebDep = Annotated[Web, Depends(_web)]


def render(
    web: Web,
    template: str,
    context: dict[str, Any] | None = None,
    label_ids: Iterable[int] = (),
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """`template` for the reader, bannered with the highest marking of `label_ids`, the ids of
    the labels of every labelled item the page shows."""
    nav = [
        (item, path)
        for item in NAV
        if (path := _path_of(web.request, item.route))
        and (not item.roles or item.roles & web.principal.roles)
    ]
    page = ENVIRONMENTS[web.language].get_template(template)
    html = page.render(
        **(context or {}),
        web=web,
        lang=web.language,
        banner=web.banner(label_ids),
        nav=nav,
        path=web.request.url.path,
        marks=web.marks,
        dtg=web.dtg,
    )
    return HTMLResponse(html, status_code=status_code)


def _path_of(request: Request, route: str) -> str | None:
    try:
        return str(request.app.url_path_for(route))
    except NoMatchFound:
        return None


_STATUS = {NotFound: 404, Forbidden: 403, Invalid: 422, Conflict: 409, TooLarge: 413}
_TITLES = {
    404: "Not found",
    403: "Not allowed",
    422: "Please check what you entered",
    409: "This cannot be done now",
    413: "The file is too large",
}


def error_page(web: Web, status: int, detail: str | None) -> HTMLResponse:
    """An error page; a 404 says nothing more than "not found", whatever the cause."""
    shown = None if status == 404 else detail
    return render(
        web, "error.html", {"title": _TITLES[status], "detail": shown}, status_code=status
    )


def _detail(web: Web, error: LiaisonError) -> str:
    if isinstance(error, TooLarge):
        text = web.gettext("Files of up to {limit} bytes can be attached: nothing was stored.")
        return text.format(limit=error.limit)
    return str(error)


class WebRoute(APIRoute):
    """A page route: domain errors and malformed addresses answer with an HTML error page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LiaisonError as error:
                status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)
                web = getattr(request.state, "web", None)
                if web is None or status not in _TITLES:
                    raise
                return error_page(web, status, _detail(web, error))
            except RequestValidationError:
                web = getattr(request.state, "web", None)
                if web is None:
                    raise
                return error_page(web, 404, None)

        return page_handler


def page_id(text: str) -> uuid.UUID:
    """A record id taken from a form; a malformed one is a 404, as for a hidden record."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("not found") from None
