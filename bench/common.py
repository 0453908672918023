"""Helpers the benchmarks share: a throw-away node on SQLite or PostgreSQL, and timing."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from liaison.node import Node
from liaison.settings import Settings
from liaison.store import migrate

BENCH_DATABASE_URL = os.environ.get("LIAISON_BENCH_DATABASE_URL")


def fresh_node(data_dir: Path | None = None) -> Node:
    """A migrated node on a new SQLite file, or on LIAISON_BENCH_DATABASE_URL (emptied first)."""
    settings = Settings(
        data_dir=data_dir or Path(tempfile.mkdtemp(prefix="liaison-bench-")),
        database_url=BENCH_DATABASE_URL,
        node_name="bench.liaison",
    )
    node = Node.open(settings)
    if node.db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with node.db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(node.db.engine)
    return node


def rate(action: Callable[[], None], count: int) -> float:
    """Calls per second of `action`, run `count` times."""
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
