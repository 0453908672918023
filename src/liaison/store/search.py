"""Full-text search over report portions: the one place SQLite FTS5 and PostgreSQL differ.

The index itself is made by migration 0003 (FTS5 kept by triggers; a GIN index over
`to_tsvector('simple', text)`). Queries are reduced to words before they reach either engine,
so no operator syntax of FTS5 or tsquery can be injected; every word must match.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, table
from sqlalchemy.orm import Session

from liaison.store.models import ReportPortion

MAX_WORDS = 16
MAX_QUERY_LENGTH = 500
# Highlight markers: private-use characters that no portion keeps (see `clean_text`).
START, STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+")
_FTS = table("report_portions_fts")
_FTS_NAME: ColumnElement[Any] = literal_column("report_portions_fts")
_SIMPLE: ColumnElement[Any] = literal_column(
    "'simple'::regconfig"
)  # a literal, so the GIN expression index applies


def search_words(text: str) -> list[str]:
    """The words of a query, lower-cased; empty when there is nothing to look for."""
    return _WORD.findall(text[:MAX_QUERY_LENGTH].lower())[:MAX_WORDS]


def clean_text(text: str) -> str:
    """Portion text as stored: without the highlight markers, which would fake a match."""
    return text.replace(START, "").replace(STOP, "")


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fts5_query(words: list[str]) -> str:
    return " ".join(f'"{word}"' for word in words)  # \w+ words hold no quote


def _tsquery(words: list[str]) -> ColumnElement[Any]:
    return func.plainto_tsquery(_SIMPLE, " ".join(words))


def matching_portions(session: Session, words: list[str]) -> Select[int, uuid.UUID]:
    """(portion id, report id) of every portion containing all `words`."""
    query = select(ReportPortion.id, ReportPortion.report_id)
    if _is_postgresql(session):
        vector = func.to_tsvector(_SIMPLE, ReportPortion.text)
        return query.where(vector.op("@@")(_tsquery(words)))
    return query.join(_FTS, literal_column("report_portions_fts.rowid") == ReportPortion.id).where(
        _FTS_NAME.op("MATCH")(_fts5_query(words))
    )


def snippets(
    session: Session,
    words: list[str],
    report_ids: list[uuid.UUID],
    portion_filter: ColumnElement[bool],
) -> dict[uuid.UUID, tuple[int, str]]:
    """For each report, its first portion (passing `portion_filter`) that matches, as
    (position, snippet with START/STOP around each hit)."""
    if not report_ids:
        return {}
    if _is_postgresql(session):
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8, MaxFragments=1"
        text = func.ts_headline(_SIMPLE, ReportPortion.text, _tsquery(words), options)
    else:
        text = func.snippet(_FTS_NAME, 0, START, STOP, "…", 16)
    found: dict[uuid.UUID, tuple[int, str]] = {}
    hits = (
        matching_portions(session, words)
        .with_only_columns(ReportPortion.report_id, ReportPortion.position, text)
        .where(ReportPortion.report_id.in_(report_ids), portion_filter)
        .order_by(ReportPortion.report_id, ReportPortion.position)
    )
    for report_id, position, snippet in session.execute(hits):
        found.setdefault(report_id, (position, snippet))
    return found


def highlighted(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, is a hit) segments, so that renderers escape the text themselves."""
    segments: list[tuple[str, bool]] = []
    for part in re.split(f"({START}.*?{STOP})", snippet):
        if part.startswith(START):
            segments.append((part[1:-1], True))
        elif part:
            segments.append((part, False))
    return segments
