"""Newest 50 visible records among 1,000,000 labelled rows with 2,000 distinct labels.

The rows have the common record columns of DESIGN.md (UUIDv7 id, origin, timestamps, author,
version) plus a title and a label. p95 latency of the page through `visible()` against the same
query without the filter, each in its own read unit of work as a request would run it.
Target (issue 3): within 1.5x. Set LIAISON_BENCH_DATABASE_URL to run it on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Uuid, insert, select
from sqlalchemy import text as sql

from bench.common import fresh_node, report
from liaison.domain.accounts import Principal, Role
from liaison.node import Node
from liaison.queries.visibility import visible
from liaison.security import Clearance, Label, LabelCategory, TagKind, builtin_registry
from liaison.security.validity import label_problem
from liaison.store.ids import new_id
from liaison.store.labels import intern_label
from liaison.store.models import StoredLabel
from liaison.store.types import UTCDateTime

ROWS = int(os.environ.get("LIAISON_BENCH_ROWS", 1_000_000))
LABELS = 2_000
PAGE = 50
SAMPLES = 300
BATCH = 20_000

NATO = builtin_registry().require("NATO")
CLASSES = [c.name for c in NATO.classifications]
NATIONS = ["GBR", "FRA", "DEU", "USA", "POL", "ITA", "ESP", "NLD", "NOR", "DNK", "NATO", "KFOR"]

metadata = MetaData()
records = Table(
    "bench_records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("origin", String(253), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("created_by", Uuid),
    Column("version", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("label_id", ForeignKey(StoredLabel.id), nullable=False),
)


def _labels(rng: random.Random) -> list[Label]:
    found: dict[Label, None] = {}
    while len(found) < LABELS:
        nations = frozenset(rng.sample(NATIONS, rng.randint(1, 5)))
        releasable = LabelCategory("Releasable To", TagKind.PERMISSIVE, nations)
        label = Label("NATO", rng.choice(CLASSES), (releasable,))
        if label_problem(NATO, label) is None:
            found[label] = None
    return list(found)


def _fill(node: Node) -> None:
    rng = random.Random(2116)
    metadata.drop_all(node.db.engine)
    metadata.create_all(node.db.engine)
    with node.db.writing() as session:
        ids = [intern_label(session, label).id for label in _labels(rng)]
    authors = [uuid.uuid4() for _ in range(40)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with node.db.engine.begin() as connection:
        for first in range(0, ROWS, BATCH):
            rows = []
            for n in range(first, min(first + BATCH, ROWS)):
                at = start + timedelta(seconds=n)
                rows.append(
                    {
                        "id": new_id(),
                        "origin": "bench.liaison",
                        "created_at": at,
                        "updated_at": at,
                        "created_by": rng.choice(authors),
                        "version": 1,
                        "title": f"SITREP {n} from the exercise area",
                        "label_id": rng.choice(ids),
                    }
                )
            connection.execute(insert(records), rows)
        connection.execute(sql("ANALYZE"))


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def _measure(node: Node, viewer: Principal) -> tuple[float, float, int]:
    page_query = select(records).order_by(records.c.id.desc()).limit(PAGE)
    plain, filtered = [], []
    shown = 0
    for _ in range(SAMPLES):
        started = time.perf_counter()
        with node.db.reading() as session:
            session.execute(page_query).all()
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        with node.db.reading() as session:
            query = visible(session, page_query, viewer, records.c.label_id)
            shown = len(session.execute(query).all())
        filtered.append(time.perf_counter() - started)
    return _p95(plain), _p95(filtered), shown


def run() -> None:
    node = fresh_node()
    started = time.perf_counter()
    _fill(node)
    built = time.perf_counter() - started
    readers = {
        "GBR officer, NATO SECRET": Clearance(
            "NATO", frozenset(CLASSES[:4]), {"Releasable To": frozenset({"GBR", "NATO"})}
        ),
        "NOR officer, RESTRICTED only": Clearance(
            "NATO", frozenset(CLASSES[:2]), {"Releasable To": frozenset({"NOR"})}
        ),
    }
    lines = [("rows / distinct labels", f"{ROWS:,} / {LABELS:,} (built in {built:.0f} s)")]
    for name, clearance in readers.items():
        viewer = Principal(
            uuid.uuid4(), "reader", name, "GBR", frozenset({Role.OFFICER}), None, clearance
        )
        with node.db.reading() as session:  # the first read decides the 2,000 labels once
            readable = node.labels.readable(session, clearance)
        plain, filtered, shown = _measure(node, viewer)
        lines.append(
            (
                name,
                f"reads {len(readable.ids) / LABELS:.0%} of labels; p95 {filtered * 1000:.2f} ms "
                f"vs {plain * 1000:.2f} ms unfiltered = {filtered / plain:.2f}x (target <= 1.5x); "
                f"page of {shown}",
            )
        )
    report(f"Newest {PAGE} visible records ({node.db.engine.dialect.name})", lines)
    metadata.drop_all(node.db.engine)
    node.close()


if __name__ == "__main__":
    run()
