"""Organization pages: the alliances, organizations and offices the reader sees, an org chart as
nested lists (organizations, their offices, departments, posts and holders), office pages, and
post pages with the holder and the chain of command on both reporting lines.

Reads go through `queries.organization` and `queries.people`; a record the reader may not see
is "not found", and a chart holds nothing under a record the reader may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from liaison.domain.errors import NotFound
from liaison.queries import organization as org
from liaison.queries.organization import OfficeNode, OrganizationNode, OrgChart
from liaison.queries.people import list_people
from liaison.queries.visibility import visible
from liaison.store.models import (
    Alliance,
    Assignment,
    Department,
    Office,
    Organization,
    Person,
    Post,
)
from liaison.store.types import utcnow
from liaison.web.pages import Web, WebDep, WebRoute, render

router = APIRouter(route_class=WebRoute)
STAFF_SHOWN = 100
T = TypeVar("T")


@router.get("/organization", name="organization")
def organization_page(web: WebDep) -> Response:
    alliances = _listed(web, Alliance, Alliance.name)
    organizations = _listed(web, Organization, Organization.name)
    offices = org.list_offices(web.session, web.principal)
    shown = [record.label_id for record in [*alliances, *organizations, *offices]]
    context = {"alliances": alliances, "organizations": organizations, "offices": offices}
    return render(web, "organization/index.html", context, shown)


def _listed(web: Web, model: Any, order: Any) -> list[Any]:
    query = select(model).order_by(order, model.id)
    return list(web.session.scalars(visible(web.session, query, web.principal, model.label_id)))


@router.get("/organization/{root_id}", name="org_chart")
def chart_page(root_id: uuid.UUID, web: WebDep) -> Response:
    chart = org.org_chart(web.session, web.principal, root_id)
    labels = _chart_labels(web, chart)
    context = {"chart": chart, "labels": labels, "holders": _holders(web, chart)}
    return render(web, "organization/chart.html", context, labels.values())


@router.get("/offices/{office_id}", name="office")
def office_page(office_id: uuid.UUID, web: WebDep) -> Response:
    session, me = web.session, web.principal
    office = org.get_office(session, me, office_id)
    chart = org.org_chart(session, me, office.id)
    sending = _maybe(lambda: org.get_organization(session, me, office.sending_org_id))
    host = _maybe(lambda: org.get_organization(session, me, office.host_org_id))
    staff = list_people(session, me, office_id=office.id, limit=STAFF_SHOWN).items
    labels = _chart_labels(web, chart)
    shown = [*labels.values(), *(o.label_id for o in (sending, host) if o is not None)]
    shown += [person.label_id for person in staff]
    context = {
        "office": office,
        "node": chart.offices[0],
        "sending": sending,
        "host": host,
        "staff": staff,
        "labels": labels,
        "holders": _holders(web, chart),
    }
    return render(web, "organization/office.html", context, shown)


@router.get("/posts/{post_id}", name="post")
def post_page(post_id: uuid.UUID, web: WebDep) -> Response:
    session, me = web.session, web.principal
    post = org.get_post(session, me, post_id)
    department = session.get(Department, post.department_id)
    assert department is not None  # the foreign key holds
    office = _maybe(lambda: org.get_office(session, me, department.office_id))
    holder = _holder(web, post.id, utcnow().date())
    lines = {
        "alliance": org.chain_of_command(session, me, post.id, "alliance"),
        "national": org.chain_of_command(session, me, post.id, "national"),
    }
    shown = [post.label_id, *(superior.label_id for chain in lines.values() for superior in chain)]
    shown += [record.label_id for record in (office, holder) if record is not None]
    context = {
        "post": post,
        "department": department if office is not None else None,
        "office": office,
        "holder": holder,
        "lines": lines,
        "required": post.required_label_id,
    }
    return render(web, "organization/post.html", context, shown)


# --- helpers ----------------------------------------------------------------------------------


def _maybe(read: Callable[[], T]) -> T | None:
    """A record the reader may not see is left out (a link to it would say it exists)."""
    try:
        return read()
    except NotFound:
        return None


def _holder(web: Web, post_id: uuid.UUID, day: date) -> Person | None:
    """The visible person assigned to the post on `day`."""
    query = (
        select(Person)
        .join(Assignment, Assignment.person_id == Person.id)
        .where(
            Assignment.post_id == post_id,
            Assignment.starts_on <= day,
            Assignment.ends_on.is_(None) | (Assignment.ends_on >= day),
        )
        .order_by(Assignment.starts_on.desc())
        .limit(1)
    )
    found = visible(web.session, query, web.principal, Person.label_id.expression)
    return web.session.scalars(found).first()


def _offices(chart: OrgChart) -> Iterator[OfficeNode]:
    def walk(nodes: Iterable[OrganizationNode]) -> Iterator[OfficeNode]:
        for node in nodes:
            yield from node.offices
            yield from walk(node.children)

    yield from chart.offices
    yield from walk(chart.organizations)


def _organizations(nodes: Iterable[OrganizationNode]) -> Iterator[OrganizationNode]:
    for node in nodes:
        yield node
        yield from _organizations(node.children)


def _chart_labels(web: Web, chart: OrgChart) -> dict[uuid.UUID, int]:
    """Record id → label id, for every labelled record on the chart (each shown through
    `visible()` by `org_chart`), holders included."""
    offices = list(_offices(chart))
    posts = [post for office in offices for d in office.departments for post in d.posts]
    wanted: list[tuple[Any, list[uuid.UUID]]] = [
        (Organization, [node.id for node in _organizations(chart.organizations)]),
        (Office, [office.id for office in offices]),
        (Post, [post.id for post in posts]),
        (Person, [post.holder_id for post in posts if post.holder_id is not None]),
    ]
    if chart.kind == "alliance":
        wanted.append((Alliance, [chart.id]))
    labels: dict[uuid.UUID, int] = {}
    for model, ids in wanted:
        if ids:
            rows = web.session.execute(select(model.id, model.label_id).where(model.id.in_(ids)))
            labels.update({row[0]: row[1] for row in rows})
    return labels


def _holders(web: Web, chart: OrgChart) -> dict[uuid.UUID, Person]:
    ids = [
        post.holder_id
        for office in _offices(chart)
        for department in office.departments
        for post in department.posts
        if post.holder_id is not None
    ]
    if not ids:
        return {}
    return {p.id: p for p in web.session.scalars(select(Person).where(Person.id.in_(ids)))}
