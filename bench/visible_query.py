"""Newest 50 visible records among 1,000,000 labelled rows with 2,000 distinct labels.

p95 latency of the page through `visible()` against the same query without the filter, each
in its own read unit of work as a request would run it. Target (issue 3): within 1.5x.
Set LIAISON_BENCH_DATABASE_URL to run it on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import time
import uuid

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    insert,
    select,
    text,
)

from bench.common import fresh_node, report
from liaison.domain.accounts import Principal, Role
from liaison.node import Node
from liaison.queries.visibility import visible
from liaison.security import Clearance, Label, LabelCategory, TagKind, builtin_registry
from liaison.security.validity import label_problem
from liaison.store.labels import intern_label
from liaison.store.models import StoredLabel

ROWS = int(os.environ.get("LIAISON_BENCH_ROWS", 1_000_000))
LABELS = 2_000
PAGE = 50
SAMPLES = 300

NATO = builtin_registry().require("NATO")
CLASSES = [c.name for c in NATO.classifications]
NATIONS = ["GBR", "FRA", "DEU", "USA", "POL", "ITA", "ESP", "NLD", "NOR", "DNK", "NATO", "KFOR"]

metadata = MetaData()
records = Table(
    "bench_records",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("label_id", ForeignKey(StoredLabel.id), nullable=False),
)


def _labels(rng: random.Random) -> list[Label]:
    found: dict[Label, None] = {}
    while len(found) < LABELS:
        categories = [
            LabelCategory(
                "Releasable To",
                TagKind.PERMISSIVE,
                frozenset(rng.sample(NATIONS, rng.randint(1, 5))),
            )
        ]
        label = Label("NATO", rng.choice(CLASSES), tuple(categories))
        if label_problem(NATO, label) is None:
            found[label] = None
    return list(found)


def _fill(node: Node) -> None:
    rng = random.Random(2116)
    metadata.drop_all(node.db.engine)
    metadata.create_all(node.db.engine)
    with node.db.writing() as session:
        ids = [intern_label(session, label).id for label in _labels(rng)]
    with node.db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "INSERT INTO bench_records (id, label_id) SELECT g, "
                    "(:first + floor(random() * :count))::int FROM generate_series(1, :rows) g"
                ),
                {"first": min(ids), "count": len(ids), "rows": ROWS},
            )
            connection.execute(text("ANALYZE bench_records"))
        else:
            batch = 50_000
            for start in range(1, ROWS + 1, batch):
                connection.execute(
                    insert(records),
                    [
                        {"id": n, "label_id": rng.choice(ids)}
                        for n in range(start, min(start + batch, ROWS + 1))
                    ],
                )
            connection.execute(text("ANALYZE"))


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def _measure(node: Node, viewer: Principal) -> tuple[float, float, int]:
    plain_query = select(records.c.id, records.c.label_id).order_by(records.c.id.desc()).limit(PAGE)
    plain, filtered = [], []
    rows = 0
    for _ in range(SAMPLES):
        started = time.perf_counter()
        with node.db.reading() as session:
            session.execute(plain_query).all()
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        with node.db.reading() as session:
            rows = len(
                session.execute(visible(session, plain_query, viewer, records.c.label_id)).all()
            )
        filtered.append(time.perf_counter() - started)
    return _p95(plain), _p95(filtered), rows


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
    rows = [("rows / distinct labels", f"{ROWS:,} / {LABELS:,} (built in {built:.0f} s)")]
    for name, clearance in readers.items():
        viewer = Principal(
            uuid.uuid4(), "reader", name, "GBR", frozenset({Role.OFFICER}), None, clearance
        )
        with node.db.reading() as session:  # the first read decides the 2,000 labels once
            readable = node.labels.readable(session, clearance)
        plain, filtered, page = _measure(node, viewer)
        rows.append(
            (
                name,
                f"reads {len(readable.ids) / LABELS:.0%} of labels; p95 {filtered * 1000:.2f} ms "
                f"vs {plain * 1000:.2f} ms unfiltered = {filtered / plain:.2f}x (target <= 1.5x); "
                f"page of {page}",
            )
        )
    report(f"Newest {PAGE} visible records ({node.db.engine.dialect.name})", rows)
    metadata.drop_all(node.db.engine)
    node.close()


if __name__ == "__main__":
    run()
