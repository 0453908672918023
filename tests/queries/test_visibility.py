"""visible(): the SQL filter agrees with the pure decision, and denies by default."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, delete, insert, select

from liaison.domain.accounts import Principal, Role
from liaison.node import Node
from liaison.queries.visibility import visible
from liaison.security import Clearance, Label, LabelCategory, TagKind, builtin_registry
from liaison.store.labels import intern_label
from liaison.store.models import StoredLabel

NATO = builtin_registry().require("NATO")
CLASSES = [c.name for c in NATO.classifications]
NATIONS = ["GBR", "FRA", "DEU", "USA", "POL", "ITA"]
SPECIAL = ["ATOMAL", "CRYPTO"]

probe_metadata = MetaData()
probes = Table(
    "probe_records",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("label_id", ForeignKey(StoredLabel.id), nullable=False),
)


@pytest.fixture
def probe_node(node: Node) -> Iterator[Node]:
    probe_metadata.create_all(node.db.engine)
    yield node
    probe_metadata.drop_all(node.db.engine)


def reader(clearance: Clearance | None) -> Principal:
    return Principal(
        uuid.uuid4(), "reader", "Reader", "GBR", frozenset({Role.OFFICER}), None, clearance
    )


def nato_label(classification: str, releasable: set[str], special: set[str]) -> Label:
    categories = []
    if releasable:
        categories.append(LabelCategory("Releasable To", TagKind.PERMISSIVE, frozenset(releasable)))
    if special:
        categories.append(
            LabelCategory("Special Category Designators", TagKind.RESTRICTIVE, frozenset(special))
        )
    return Label("NATO", classification, tuple(categories))


labels = st.builds(
    nato_label,
    st.sampled_from(CLASSES),
    st.sets(st.sampled_from(NATIONS), max_size=3),
    st.sets(st.sampled_from(SPECIAL), max_size=1),
)
clearances = st.builds(
    lambda classes, nations, special: Clearance(
        "NATO",
        frozenset(classes),
        {"Releasable To": frozenset(nations), "Special Category Designators": frozenset(special)},
    ),
    st.sets(st.sampled_from(CLASSES), max_size=5),
    st.sets(st.sampled_from(NATIONS), max_size=3),
    st.sets(st.sampled_from(SPECIAL), max_size=2),
)


def store(node: Node, batch: list[Label]) -> dict[int, Label]:
    """Probe rows, one per label, through the real interning path."""
    rows = {}
    with node.db.writing() as session:
        session.execute(delete(probes))
        for number, label in enumerate(batch):
            stored = intern_label(session, label)
            session.execute(insert(probes).values(id=number, label_id=stored.id))
            rows[number] = label
    return rows


def visible_ids(node: Node, viewer: Principal) -> set[int]:
    with node.db.reading() as session:
        query = visible(session, select(probes.c.id), viewer, probes.c.label_id)
        return set(session.scalars(query))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batch=st.lists(labels, min_size=1, max_size=25),
    readers=st.lists(clearances, min_size=1, max_size=4),
)
def test_sql_filter_agrees_with_the_pure_decision(
    probe_node: Node, batch: list[Label], readers: list[Clearance]
) -> None:
    rows = store(probe_node, batch)
    registry = probe_node.labels.registry
    for clearance in readers:
        expected = {n for n, label in rows.items() if registry.decide(label, clearance).granted}
        assert visible_ids(probe_node, reader(clearance)) == expected


def test_no_clearance_sees_nothing(probe_node: Node) -> None:
    store(probe_node, [nato_label("UNCLASSIFIED", set(), set())])
    assert visible_ids(probe_node, reader(None)) == set()


def test_unknown_policy_clearance_sees_nothing(probe_node: Node) -> None:
    store(probe_node, [nato_label("UNCLASSIFIED", set(), set())])
    stranger = Clearance("NO-SUCH-POLICY", frozenset(CLASSES), {})
    assert visible_ids(probe_node, reader(stranger)) == set()


def test_new_labels_are_decided_on_the_next_read(probe_node: Node) -> None:
    cleared = Clearance("NATO", frozenset(CLASSES), {"Releasable To": frozenset({"GBR"})})
    store(probe_node, [nato_label("SECRET", {"GBR"}, set())])
    assert visible_ids(probe_node, reader(cleared)) == {0}
    store(
        probe_node,
        [
            nato_label("SECRET", {"GBR"}, set()),
            nato_label("SECRET", {"FRA"}, set()),
            nato_label("RESTRICTED", {"FRA", "GBR"}, set()),
        ],
    )
    assert visible_ids(probe_node, reader(cleared)) == {0, 2}


def test_releasability_and_caveats_are_enforced(probe_node: Node) -> None:
    store(
        probe_node,
        [
            nato_label("CONFIDENTIAL", {"FRA"}, set()),
            nato_label("CONFIDENTIAL", {"GBR", "FRA"}, set()),
            nato_label("CONFIDENTIAL", {"GBR"}, {"ATOMAL"}),
            nato_label("SECRET", {"GBR"}, set()),
        ],
    )
    british = Clearance(
        "NATO",
        frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL"}),
        {"Releasable To": frozenset({"GBR"})},
    )
    assert visible_ids(probe_node, reader(british)) == {1}
