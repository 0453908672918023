"""People pages: the directory a page at a time, a person's record (languages, qualifications with
their expiry, assignments, accreditations, clearance), and the candidates for a post ranked by
fit with the reasons behind each score.

Reads go through `queries.people`; a person the reader may not see is absent from lists and
rankings, and "not found" at their address.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from liaison.domain.errors import Invalid
from liaison.queries import people as queries
from liaison.queries.organization import get_post
from liaison.queries.pagination import Page
from liaison.store.models import Organization, Post
from liaison.store.types import utcnow
from liaison.web.pages import WebDep, WebRoute, render

router = APIRouter(route_class=WebRoute)
PAGE_SIZE = 25
CANDIDATES_SHOWN = 25
EXPIRES_SOON = timedelta(days=90)  # a qualification or clearance ending within it is flagged


def expiry(ends: date | None, today: date) -> str:
    """`expired`, `soon` or "" for a qualification or clearance ending on `ends`."""
    if ends is None:
        return ""
    if ends < today:
        return "expired"
    return "soon" if ends <= today + EXPIRES_SOON else ""


@router.get("/people", name="people")
def people_page(
    web: WebDep,
    nation: Annotated[str, Query(max_length=3)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    error = None
    try:
        page = queries.list_people(
            web.session, web.principal, cursor=cursor, limit=PAGE_SIZE, nation=nation or None
        )
    except Invalid as refused:
        error, page = str(refused), Page([], None)
    context = {"people": page.items, "next": page.next_cursor, "nation": nation, "error": error}
    status = 422 if error else 200
    shown = [person.label_id for person in page.items]
    return render(web, "people/list.html", context, shown, status_code=status)


@router.get("/people/{person_id}", name="person")
def person_page(person_id: uuid.UUID, web: WebDep) -> Response:
    today = utcnow().date()
    record = queries.get_person_record(web.session, web.principal, person_id, today=today)
    post_ids = [assignment.post_id for assignment in record.assignments]
    org_ids = [accreditation.host_org_id for accreditation in record.accreditations]
    # The record's assignments and accreditations are only those the reader may see.
    posts = {p.id: p for p in web.session.scalars(select(Post).where(Post.id.in_(post_ids)))}
    hosts = {
        o.id: o
        for o in web.session.scalars(select(Organization).where(Organization.id.in_(org_ids)))
    }
    shown = [record.person.label_id, *(p.label_id for p in posts.values())]
    shown += [o.label_id for o in hosts.values()]
    context = {
        "record": record,
        "person": record.person,
        "posts": posts,
        "hosts": hosts,
        "today": today,
        "expiry": expiry,
    }
    return render(web, "people/person.html", context, shown)


@router.get("/posts/{post_id}/candidates", name="post_candidates")
def candidates_page(post_id: uuid.UUID, web: WebDep) -> Response:
    today = utcnow().date()
    post = get_post(web.session, web.principal, post_id)
    ranked = queries.candidates(
        web.session, web.principal, post.id, on=today, limit=CANDIDATES_SHOWN
    )
    shown = [post.label_id, *(candidate.person.label_id for candidate in ranked)]
    context = {"post": post, "candidates": ranked, "today": today}
    return render(web, "people/candidates.html", context, shown)
