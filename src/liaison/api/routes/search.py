"""`/search`: full-text search over the reports the caller may see, with facets."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liaison.api.moments import moment_in
from liaison.api.report_views import ReportSummary, report_summary
from liaison.http.deps import Caller, ReadSession
from liaison.queries.search import SearchFilter, search_reports

router = APIRouter(tags=["search"])


class Segment(BaseModel):
    text: str
    match: bool


class HitOut(BaseModel):
    report: ReportSummary
    portion: int
    snippet: list[Segment]


class SearchOut(BaseModel):
    items: list[HitOut]
    next_cursor: str | None
    total: int
    facets: dict[str, dict[str, int]]


@router.get("/search")
def search(
    caller: Caller,
    session: ReadSession,
    q: str = Query(min_length=1, max_length=500),
    kind: str | None = Query(default=None, max_length=16),
    since: str | None = Query(default=None, max_length=40, description="DTG or ISO 8601"),
    until: str | None = Query(default=None, max_length=40),
    office_id: uuid.UUID | None = None,
    nation: str | None = Query(default=None, max_length=3),
    classification: str | None = Query(default=None, max_length=200),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = 20,
) -> SearchOut:
    where = SearchFilter(
        kind=kind.upper() if kind else None,
        since=moment_in(since, "since"),
        until=moment_in(until, "until"),
        office_id=office_id,
        nation=nation.upper() if nation else None,
        classification=classification,
    )
    result = search_reports(session, caller, q, where, cursor=cursor, limit=limit)
    return SearchOut(
        items=[
            HitOut(
                report=report_summary(session, hit.report),
                portion=hit.position,
                snippet=[Segment(text=text, match=match) for text, match in hit.snippet],
            )
            for hit in result.items
        ],
        next_cursor=result.next_cursor,
        total=result.total,
        facets=result.facets,
    )
