"""Report writing and full-text search (issue 5).

(a) Reports created per second through `do_create_report` (three labelled portions, rollup,
    audit entry, outbox event, search index), against raw core INSERTs of the same rows
    (the report and its three portions, no audit, no outbox) in the same run, each report in a
    unit of work of its own as a request would write it.
(b) A two-word search among LIAISON_BENCH_PORTIONS portions (default 200,000; the issue asks
    for 1,000,000) under about 50 labels, through `search_reports`, by a reader whose
    clearance admits about half the labels, against the same function for a reader cleared for
    every label: same SQL, same snippets and facets, so the ratio is what the label filter
    costs. The store-level match joined to reports (no security at all) is printed for scale.
    Target: p95 within 1.5x.

The search data is inserted directly (real rows, real labels; the FTS index kept by triggers on
SQLite, a GIN expression index on PostgreSQL), since a million audited actions would take far
longer than the measurement. Set LIAISON_BENCH_DATABASE_URL to run on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy import text as sql

from bench.common import fresh_node, report
from liaison.actions.accounts import do_create_user
from liaison.actions.reports import NewPortion, do_create_report
from liaison.domain.accounts import SYSTEM, Principal, Role
from liaison.domain.reports import AudienceKind, ReportKind, ReportState
from liaison.node import Node
from liaison.queries.search import search_reports
from liaison.security import Clearance, Label, LabelCategory, TagKind, builtin_registry
from liaison.security.validity import label_problem
from liaison.store.ids import new_id
from liaison.store.labels import intern_label
from liaison.store.models import Office, Organization, Report, ReportPortion, ReportRecipient
from liaison.store.search import matching_portions

PORTIONS = int(os.environ.get("LIAISON_BENCH_PORTIONS", 200_000))
CREATES = int(os.environ.get("LIAISON_BENCH_CREATES", 200))
PORTIONS_PER_REPORT = 4
LABELS = 50
VOCABULARY = 3_000
WORDS_PER_PORTION = 40
QUERIES = 50
BATCH = 10_000

NATO = builtin_registry().require("NATO")
CLASSES = [c.name for c in NATO.classifications][:4]  # to SECRET: readers hold at most that
VALUES = ["GBR", "FRA", "DEU", "USA", "POL", "ITA", "ESP", "NLD", "NOR", "NATO"]
ALL_VALUES = frozenset(VALUES)


def _nato(classification: str, *releasable: str) -> Label:
    category = LabelCategory("Releasable To", TagKind.PERMISSIVE, frozenset(releasable))
    return Label("NATO", classification, (category,) if releasable else ())


def _record(label_id: int | None = None, at: datetime | None = None) -> dict[str, Any]:
    now = at or datetime.now(UTC)
    row: dict[str, Any] = {
        "id": new_id(),
        "origin": "bench.liaison",
        "created_at": now,
        "updated_at": now,
        "created_by": None,
        "version": 1,
    }
    if label_id is not None:
        row["label_id"] = label_id
    return row


def _office(node: Node) -> tuple[uuid.UUID, Principal]:
    """An office and an officer of it, cleared to NATO SECRET for GBR and NATO."""
    with node.db.writing() as session:
        open_label = intern_label(session, _nato("UNCLASSIFIED", "NATO")).id
        org = _record(open_label) | {
            "name": "Headquarters",
            "kind": "headquarters",
            "nation": "GBR",
            "parent_id": None,
            "alliance_id": None,
            "latitude": None,
            "longitude": None,
            "time_zone": None,
        }
        office = _record(open_label) | {
            "name": "UK Liaison Office",
            "sending_org_id": org["id"],
            "host_org_id": org["id"],
            "latitude": None,
            "longitude": None,
            "time_zone": None,
            "default_label_id": open_label,
        }
        session.execute(insert(Organization), [org])
        session.execute(insert(Office), [office])
        user = do_create_user(
            session,
            SYSTEM,
            username="bench.author",
            display_name="Bench Author",
            nation="GBR",
            roles=["officer"],
            password="bench-password-long-enough",
            origin="bench.liaison",
        )
        clearance = Clearance("NATO", frozenset(CLASSES), {"Releasable To": ALL_VALUES})
        author = Principal(
            user.id, "bench.author", "Bench Author", "GBR", frozenset({Role.OFFICER}), None,
            clearance,
        )  # fmt: skip
    return office["id"], author


# --- (a) creation -------------------------------------------------------------------------------


def _creation(node: Node, office_id: uuid.UUID, author: Principal) -> list[tuple[str, str]]:
    labels = [_nato("UNCLASSIFIED"), _nato("SECRET", "GBR", "FRA"), _nato("RESTRICTED", "GBR")]
    with node.db.writing() as session:
        label_ids = [intern_label(session, label).id for label in labels]
        overall = intern_label(session, _nato("SECRET", "GBR")).id
    texts = [
        "Enemy armour seen moving north towards the river crossing at first light.",
        "A reliable source reports bridging equipment stored in a farm east of the town.",
        "Fuel resupply delayed by road closures; expected within twelve hours.",
    ]
    dtg = datetime.now(UTC) - timedelta(hours=3)

    def create() -> None:
        with node.db.writing() as session:
            do_create_report(
                session,
                author,
                kind=ReportKind.SPOTREP,
                title="Armour movement near the river crossing",
                office_id=office_id,
                dtg=dtg,
                portions=[NewPortion(t, label) for t, label in zip(texts, labels, strict=True)],
                fields={"observer": "Patrol", "what": "Armour", "where": "Bridge", "when": "0600Z"},
                origin="bench.liaison",
            )

    def raw() -> None:
        row = _record(overall) | {
            "kind": "SPOTREP",
            "title": "Armour movement near the river crossing",
            "office_id": office_id,
            "author_id": author.user_id,
            "author_nation": "GBR",
            "state": "draft",
            "dtg": dtg,
            "fields": {"observer": "Patrol", "what": "Armour", "where": "Bridge", "when": "0600Z"},
            "locations": [],
            "ack_by": None,
            "return_comments": None,
            "released_at": None,
            "sanitized_from_id": None,
            "supersedes_id": None,
            "quarantined_at": None,
            "quarantined_by": None,
            "created_by": author.user_id,
        }
        portions = [
            {"report_id": row["id"], "position": n, "label_id": label_id, "text": t}
            for n, (t, label_id) in enumerate(zip(texts, label_ids, strict=True), start=1)
        ]
        with node.db.writing() as session:
            session.execute(insert(Report), [row])
            session.execute(insert(ReportPortion), portions)

    create()  # warm: labels decided, statements compiled
    raw()
    through_action = _rate(create, CREATES)
    plain = _rate(raw, CREATES)
    return [
        (
            f"create, 3 portions ({CREATES} reports)",
            f"{through_action:.0f}/s through do_create_report vs {plain:.0f}/s raw INSERTs "
            f"= {plain / through_action:.1f}x slower (labels, rollup, audit, outbox, index)",
        )
    ]


def _rate(action: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


# --- (b) search ---------------------------------------------------------------------------------


def _vocabulary(rng: random.Random) -> list[str]:
    """Pronounceable made-up words, so that no stemming or stop list favours either engine."""
    onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "br", "st", "tr"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
    codas = ["", "n", "r", "s", "t", "l", "rk", "nd"]
    found: dict[str, None] = {}
    while len(found) < VOCABULARY:
        syllables = rng.randint(2, 3)
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
        found[word + rng.choice(codas)] = None
    return list(found)


def _labels(rng: random.Random) -> list[Label]:
    found: dict[Label, None] = {}
    while len(found) < LABELS:
        values = rng.sample(VALUES, rng.randint(1, 3))
        label = _nato(rng.choice(CLASSES), *values)
        if label_problem(NATO, label) is None:
            found[label] = None
    return list(found)


def _fill(
    node: Node, office_id: uuid.UUID, author: Principal, rng: random.Random
) -> tuple[list[str], set[int]]:
    """N portions over N/4 released reports (to NATO); each report's portions share a label,
    which is therefore its overall label too. Returns the vocabulary, most frequent first, and
    the labels used."""
    words = _vocabulary(rng)
    weights = [1 / (rank + 10) for rank in range(len(words))]  # a Zipf-like spread
    with node.db.writing() as session:
        label_ids = [intern_label(session, label).id for label in _labels(rng)]
    start = datetime.now(UTC) - timedelta(days=365)
    reports = PORTIONS // PORTIONS_PER_REPORT
    with node.db.engine.begin() as connection:
        for first in range(0, reports, BATCH // PORTIONS_PER_REPORT):
            report_rows, portion_rows, recipient_rows = [], [], []
            for n in range(first, min(first + BATCH // PORTIONS_PER_REPORT, reports)):
                at = start + timedelta(minutes=n)
                label_id = rng.choice(label_ids)
                row = _record(label_id, at) | {
                    "kind": "FREETEXT",
                    "title": f"Report {n}",
                    "office_id": office_id,
                    "author_id": author.user_id,
                    "author_nation": "GBR",
                    "state": ReportState.RELEASED.value,
                    "dtg": at,
                    "fields": {},
                    "locations": [],
                    "ack_by": None,
                    "return_comments": None,
                    "released_at": at,
                    "sanitized_from_id": None,
                    "supersedes_id": None,
                    "quarantined_at": None,
                    "quarantined_by": None,
                }
                report_rows.append(row)
                recipient_rows.append(
                    {
                        "report_id": row["id"],
                        "kind": AudienceKind.COMMUNITY.value,
                        "value": "NATO",
                        "released_at": at,
                        "released_by": author.user_id,
                    }
                )
                for position in range(1, PORTIONS_PER_REPORT + 1):
                    text = " ".join(rng.choices(words, weights, k=WORDS_PER_PORTION))
                    portion_rows.append(
                        {
                            "report_id": row["id"],
                            "position": position,
                            "label_id": label_id,
                            "text": text.capitalize() + ".",
                        }
                    )
            connection.execute(insert(Report), report_rows)
            connection.execute(insert(ReportRecipient), recipient_rows)
            connection.execute(insert(ReportPortion), portion_rows)
        connection.execute(sql("ANALYZE"))
    return words, set(label_ids)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def _search(node: Node, office_id: uuid.UUID, author: Principal) -> list[tuple[str, str]]:
    rng = random.Random(2116)
    started = time.perf_counter()
    words, label_ids = _fill(node, office_id, author, rng)
    built = time.perf_counter() - started
    # Pairs of mid-frequency words: each matches a few hundred portions at 1,000,000.
    queries = [" ".join(rng.sample(words[20:400], 2)) for _ in range(QUERIES)]
    half = Clearance(
        "NATO", frozenset(CLASSES), {"Releasable To": frozenset({"GBR", "FRA", "NATO"})}
    )
    every = Clearance("NATO", frozenset(CLASSES), {"Releasable To": ALL_VALUES})
    readers = {
        name: Principal(uuid.uuid4(), name, name, "GBR", frozenset({Role.OFFICER}), None, c)
        for name, c in (("half", half), ("every", every))
    }
    with node.db.reading() as session:
        share = len(node.labels.readable(session, half).ids & label_ids) / LABELS

    def timed(reader: Principal) -> tuple[list[float], int]:
        samples, found = [], 0
        for query in queries:
            began = time.perf_counter()
            with node.db.reading() as session:
                found += search_reports(session, reader, query).total
            samples.append(time.perf_counter() - began)
        return samples, found

    def store_level() -> list[float]:
        samples = []
        for query in queries:
            began = time.perf_counter()
            with node.db.reading() as session:
                matched = matching_portions(session, query.split())
                ids = matched.with_only_columns(ReportPortion.report_id)
                page = select(Report).where(Report.id.in_(ids)).order_by(Report.id.desc())
                session.scalars(page.limit(21)).all()
            samples.append(time.perf_counter() - began)
        return samples

    timed(readers["half"])  # warm: labels decided, statements compiled, pages cached
    timed(readers["every"])
    filtered, found_half = timed(readers["half"])
    unfiltered, found_every = timed(readers["every"])
    raw = store_level()
    f50, f95 = _percentiles(filtered)
    u50, u95 = _percentiles(unfiltered)
    r50, r95 = _percentiles(raw)
    return [
        (
            "portions / reports / labels",
            f"{PORTIONS:,} / {PORTIONS // PORTIONS_PER_REPORT:,} / {LABELS} "
            f"(built in {built:.0f} s); {QUERIES} two-word queries",
        ),
        (
            f"reader admitting {share:.0%} of labels",
            f"p50 {f50:.1f} ms, p95 {f95:.1f} ms; {found_half / QUERIES:.0f} reports a query",
        ),
        (
            "reader admitting every label",
            f"p50 {u50:.1f} ms, p95 {u95:.1f} ms; {found_every / QUERIES:.0f} reports a query "
            "(same search_reports: like for like)",
        ),
        ("ratio of p95s", f"{f95 / u95:.2f}x (target <= 1.5x)"),
        (
            "for scale: store-level match, no security",
            f"p50 {r50:.1f} ms, p95 {r95:.1f} ms (first page only: no facets, no snippets)",
        ),
    ]


def run() -> None:
    node = fresh_node()
    office_id, author = _office(node)
    lines = _creation(node, office_id, author)
    lines += _search(node, office_id, author)
    report(f"Reports: writing and search ({node.db.engine.dialect.name})", lines)
    node.close()


if __name__ == "__main__":
    run()
