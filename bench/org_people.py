"""Org chart of 10,000 posts, and candidates for one post among 10,000 people.

Each beside a plain SELECT of the same rows (no visibility, no tree, no scoring), in one run.
Targets (issue 4): under 200 ms and 300 ms on this machine. The data is inserted directly
(real rows, real labels), since 20,000 audited actions would take longer than the measurement.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from bench.common import fresh_node, report
from liaison.domain.accounts import Principal, Role
from liaison.queries.organization import org_chart
from liaison.queries.people import candidates
from liaison.security import Clearance, Label, LabelCategory, TagKind, builtin_registry
from liaison.store.ids import new_id
from liaison.store.labels import intern_label
from liaison.store.models import (
    Assignment,
    Department,
    Office,
    Organization,
    Person,
    PersonLanguage,
    Post,
    Qualification,
)

OFFICES = 50
DEPARTMENTS_PER_OFFICE = 4
POSTS_PER_DEPARTMENT = 50  # 50 x 4 x 50 = 10,000 posts
PEOPLE = 10_000
ROUNDS = 7
NATIONS = ["GBR", "FRA", "DEU", "USA", "POL", "ITA", "ESP", "NLD", "NOR", "DNK"]
RANKS = ["OF-1", "OF-2", "OF-3", "OF-4", "OF-5", "OR-6", "OR-7", "OR-8", "OR-9"]


def _record(label_id: int | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
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


def _build(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
    rng = random.Random(2116)
    releasable = LabelCategory("Releasable To", TagKind.PERMISSIVE, frozenset({"NATO"}))
    open_label = intern_label(session, Label("NATO", "UNCLASSIFIED", (releasable,))).id
    secret = intern_label(session, Label("NATO", "SECRET", (releasable,))).id
    headquarters = _record(open_label) | {
        "name": "Multinational Corps HQ",
        "kind": "headquarters",
        "nation": None,
        "parent_id": None,
        "alliance_id": None,
        "latitude": 53.4,
        "longitude": 14.5,
        "time_zone": "Europe/Warsaw",
    }
    session.execute(insert(Organization), [headquarters])
    senders, offices, departments, posts = [], [], [], []
    for n in range(OFFICES):
        sender = _record(open_label) | {
            "name": f"National HQ {n}",
            "kind": "headquarters",
            "nation": NATIONS[n % len(NATIONS)],
            "parent_id": None,
            "alliance_id": None,
            "latitude": None,
            "longitude": None,
            "time_zone": None,
        }
        senders.append(sender)
        office = _record(open_label) | {
            "name": f"Liaison office {n}",
            "sending_org_id": sender["id"],
            "host_org_id": headquarters["id"],
            "latitude": None,
            "longitude": None,
            "time_zone": None,
            "default_label_id": open_label,
        }
        offices.append(office)
        for d in range(DEPARTMENTS_PER_OFFICE):
            department = _record() | {"office_id": office["id"], "name": f"Department {d}"}
            departments.append(department)
            head = None
            for p in range(POSTS_PER_DEPARTMENT):
                post = _record(open_label) | {
                    "department_id": department["id"],
                    "title": f"Staff officer {n}-{d}-{p}",
                    "rank_min": "OF-2",
                    "rank_max": "OF-4",
                    "required_label_id": secret,
                    "required_languages": [{"language": "eng", "minimum": "3/3/3/3"}],
                    "required_qualifications": ["NATO Staff Officer Course"],
                    "alliance_superior_id": head,
                    "national_superior_id": head,
                }
                head = head or post["id"]
                posts.append(post)
    session.execute(insert(Organization), senders)
    session.execute(insert(Office), offices)
    session.execute(insert(Department), departments)
    session.execute(insert(Post), posts)
    people, languages, courses, assignments = [], [], [], []
    today = date.today()
    for n in range(PEOPLE):
        person = _record(open_label) | {
            "office_id": offices[n % OFFICES]["id"],
            "family_name": f"Officer{n:05d}",
            "given_names": "Alex",
            "rank_code": rng.choice(RANKS),
            "rank_title": "Major",
            "service": "Army",
            "nation": NATIONS[n % len(NATIONS)],
            "email": None,
            "phone": None,
            "clearance_policy": "NATO",
            "clearance_level": rng.choice(["CONFIDENTIAL", "SECRET"]),
            "clearance_special": [],
            "clearance_issued": today - timedelta(days=400),
            "clearance_expires": today + timedelta(days=rng.randint(-30, 900)),
        }
        people.append(person)
        languages.append(
            {
                "person_id": person["id"],
                "language": "eng",
                "profile": rng.choice(["2/2/2/2", "3/3/3/3", "3+/3/3/3", "4/4/4/4"]),
            }
        )
        if n % 3:
            courses.append(
                _record()
                | {
                    "person_id": person["id"],
                    "course": "NATO Staff Officer Course",
                    "issuer": "NATO School",
                    "completed_on": today - timedelta(days=500),
                    "expires_on": None,
                }
            )
        if n < len(posts) // 2:
            assignments.append(
                _record()
                | {
                    "person_id": person["id"],
                    "post_id": posts[n]["id"],
                    "starts_on": today - timedelta(days=100),
                    "ends_on": None,
                }
            )
    for table, rows in (
        (Person, people),
        (PersonLanguage, languages),
        (Qualification, courses),
        (Assignment, assignments),
    ):
        for start in range(0, len(rows), 5_000):
            session.execute(insert(table), rows[start : start + 5_000])
    return headquarters["id"], posts[-1]["id"]


def _median_ms(action: Callable[[], object]) -> float:
    action()  # warm: decisions made, statements compiled
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run() -> None:
    node = fresh_node()
    started = time.perf_counter()
    with node.db.writing() as session:
        root, vacant_post = _build(session)
    built = time.perf_counter() - started
    nato = builtin_registry().require("NATO")
    viewer = Principal(
        uuid.uuid4(),
        "chief",
        "Chief of Staff",
        "GBR",
        frozenset({Role.OFFICER}),
        None,
        Clearance(
            "NATO",
            frozenset(c.name for c in nato.classifications),
            {"Releasable To": frozenset({"GBR", "NATO"})},
        ),
    )

    def chart() -> None:
        with node.db.reading() as session:
            org_chart(session, viewer, root)

    def chart_rows() -> None:
        with node.db.reading() as session:
            for model in (Organization, Office, Department, Post, Assignment):
                session.execute(select(model.__table__)).all()

    def ranking() -> None:
        with node.db.reading() as session:
            candidates(session, viewer, vacant_post, on=date.today())

    def people_rows() -> None:
        with node.db.reading() as session:
            for model in (Person, PersonLanguage, Qualification, Assignment):
                session.execute(select(model.__table__)).all()

    report(
        f"Organization and people ({node.db.engine.dialect.name}; built in {built:.0f} s)",
        [
            (
                "org chart, 10,000 posts",
                f"{_median_ms(chart):.0f} ms (target < 200 ms); "
                f"plain SELECT of the same rows {_median_ms(chart_rows):.0f} ms",
            ),
            (
                "candidates among 10,000 people",
                f"{_median_ms(ranking):.0f} ms (target < 300 ms); "
                f"plain SELECT of the same rows {_median_ms(people_rows):.0f} ms",
            ),
        ],
    )
    node.close()


if __name__ == "__main__":
    run()
