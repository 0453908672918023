"""Full-text search over the reports a reader may see, with filters, snippets and facets.

A report matches when one of its portions that the reader may read holds every word; results,
counts and facets are all computed in SQL under the same two filters, so nothing hidden is
counted, and snippets are cut only from portions the reader may read.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.errors import Invalid
from liaison.queries.pagination import check_limit, decode_uuid_cursor, encode_cursor
from liaison.store.models import Report, ReportPortion, StoredLabel
from liaison.store.report_access import portion_readable, report_readable
from liaison.store.search import highlighted, matching_portions, search_words, snippets


@dataclass(frozen=True, slots=True)
class SearchFilter:
    kind: str | None = None
    since: datetime | None = None  # date-time group, inclusive
    until: datetime | None = None  # exclusive
    office_id: uuid.UUID | None = None
    nation: str | None = None  # the author's nation
    classification: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    report: Report
    position: int
    snippet: list[tuple[str, bool]]


@dataclass(frozen=True, slots=True)
class SearchResult:
    items: list[SearchHit]
    next_cursor: str | None
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def search_reports(
    session: Session,
    viewer: Principal,
    text: str,
    where: SearchFilter = SearchFilter(),
    *,
    cursor: str | None = None,
    limit: int = 20,
) -> SearchResult:
    """Newest first."""
    words = search_words(text)
    if not words:
        raise Invalid("give at least one word to search for", field="q")
    portion_ok = portion_readable(session, viewer)
    matched = matching_portions(session, words).where(portion_ok)
    conditions: list[ColumnElement[bool]] = [
        report_readable(session, viewer),
        Report.id.in_(matched.with_only_columns(ReportPortion.report_id)),
        *_filters(where),
    ]
    page_query = select(Report).where(*conditions)
    before = decode_uuid_cursor(cursor)
    if before is not None:
        page_query = page_query.where(Report.id < before)
    rows = list(
        session.scalars(page_query.order_by(Report.id.desc()).limit(check_limit(limit) + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    cut = snippets(session, words, [row.id for row in rows], portion_ok)
    hits = [
        SearchHit(row, cut[row.id][0], highlighted(cut[row.id][1])) for row in rows if row.id in cut
    ]
    total, facets = _facets(session, conditions)
    return SearchResult(hits, encode_cursor(str(rows[-1].id)) if more else None, total, facets)


def _filters(where: SearchFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if where.kind is not None:
        conditions.append(Report.kind == where.kind)
    if where.since is not None:
        conditions.append(Report.dtg >= where.since)
    if where.until is not None:
        conditions.append(Report.dtg < where.until)
    if where.office_id is not None:
        conditions.append(Report.office_id == where.office_id)
    if where.nation is not None:
        conditions.append(Report.author_nation == where.nation)
    if where.classification is not None:
        conditions.append(
            Report.label_id.in_(
                select(StoredLabel.id).where(StoredLabel.classification == where.classification)
            )
        )
    return conditions


def _facets(
    session: Session, conditions: list[ColumnElement[bool]]
) -> tuple[int, dict[str, dict[str, int]]]:
    """Counts of matching, visible reports by kind, nation, office and classification: one
    grouped query, since the combinations are few."""
    grouped = session.execute(
        select(
            Report.kind,
            Report.author_nation,
            Report.office_id,
            StoredLabel.classification,
            func.count(),
        )
        .join(StoredLabel, StoredLabel.id == Report.label_id)
        .where(*conditions)
        .group_by(Report.kind, Report.author_nation, Report.office_id, StoredLabel.classification)
    )
    facets: dict[str, Counter[str]] = {
        "kind": Counter(),
        "nation": Counter(),
        "office": Counter(),
        "classification": Counter(),
    }
    total = 0
    for kind, nation, office_id, classification, count in grouped:
        total += count
        facets["kind"][kind] += count
        facets["nation"][nation] += count
        facets["office"][str(office_id)] += count
        facets["classification"][classification] += count
    return total, {name: dict(counter.most_common()) for name, counter in facets.items()}
