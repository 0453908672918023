"""The labels table and the per-clearance decisions behind `visible()`, on the real database."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.actions.policies import do_install_policy
from liaison.domain.accounts import SYSTEM, Principal, Role
from liaison.node import Node
from liaison.queries.visibility import visible
from liaison.security import (
    Clearance,
    Decision,
    Label,
    LabelCategory,
    Originator,
    PolicyRegistry,
    TagKind,
    clearance_key,
    label_from_json,
    label_hash,
)
from liaison.settings import Settings
from liaison.store import labels as store_labels
from liaison.store.labels import Readable, intern_label
from liaison.store.models import InstalledPolicy, StoredLabel, StoredLabelCategory
from tests.conftest import abandon, table_rows

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "security-policy"
RELEASABLE = "Releasable To"
SCD = "Special Category Designators"
T = TypeVar("T")
ALL_CLASSES = frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"})


def nato(classification: str, releasable: set[str] | None = None, *special: str) -> Label:
    categories = []
    if releasable is not None:
        categories.append(LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset(releasable)))
    if special:
        categories.append(LabelCategory(SCD, TagKind.RESTRICTIVE, frozenset(special)))
    return Label("NATO", classification, tuple(categories))


def cleared(classes: set[str], nations: set[str], *special: str) -> Clearance:
    return Clearance(
        "NATO", frozenset(classes), {RELEASABLE: frozenset(nations), SCD: frozenset(special)}
    )


def reader(clearance: Clearance | None) -> Principal:
    return Principal(
        uuid.uuid4(), "reader", "Reader", "GBR", frozenset({Role.OFFICER}), None, clearance
    )


BRITISH_SECRET = cleared({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}, {"GBR"})
FRENCH_ATOMAL = cleared(set(ALL_CLASSES), {"FRA", "NATO"}, "ATOMAL")

MIXED = [
    nato("UNCLASSIFIED"),
    nato("SECRET", {"GBR", "FRA"}),
    nato("SECRET", {"FRA"}),
    nato("CONFIDENTIAL", {"NATO"}),
    nato("SECRET", {"GBR"}, "ATOMAL"),
    nato("TOP SECRET", {"FRA", "GBR"}),
    nato("RESTRICTED", set()),  # releasable to no one
]


def intern_all(node: Node, batch: list[Label]) -> list[int]:
    with node.db.writing() as session:
        return [intern_label(session, label).id for label in batch]


def visible_labels(session: Session, clearance: Clearance | None) -> set[int]:
    query = visible(session, select(StoredLabel.id), reader(clearance), StoredLabel.id)
    return set(session.scalars(query))


def read_visible(node: Node, clearance: Clearance | None) -> set[int]:
    with node.db.reading() as session:
        return visible_labels(session, clearance)


def expected(node: Node, ids: list[int], batch: list[Label], clearance: Clearance) -> set[int]:
    registry = node.labels.registry
    return {i for i, label in zip(ids, batch, strict=True) if registry.decide(label, clearance)}


@pytest.fixture
def decisions(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many access decisions were made, per clearance key."""
    made: Counter[str] = Counter()
    decide = PolicyRegistry.decide

    def counting(registry: PolicyRegistry, label: Label, clearance: Clearance) -> Decision:
        made[clearance_key(clearance)] += 1
        return decide(registry, label, clearance)

    monkeypatch.setattr(PolicyRegistry, "decide", counting)
    return made


def remembered(node: Node, clearance: Clearance) -> Readable:
    with node.db.reading() as session:
        return node.labels.readable(session, clearance)


# --- interning ------------------------------------------------------------------------------


def test_the_same_label_is_stored_once_whatever_the_order_of_its_values(node: Node) -> None:
    one = label_from_json(
        {
            "policy": "NATO",
            "classification": "SECRET",
            "categories": [
                {"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["GBR", "FRA", "NATO"]},
                {"tag_set": SCD, "type": "RESTRICTIVE", "values": ["CRYPTO", "ATOMAL"]},
            ],
        }
    )
    other = label_from_json(
        {
            "policy": "NATO",
            "classification": "SECRET",
            "categories": [
                {"tag_set": SCD, "type": "RESTRICTIVE", "values": ["ATOMAL", "CRYPTO", "ATOMAL"]},
                {"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["NATO", "FRA"]},
                {"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["GBR"]},
            ],
            # History, not meaning: left out of the hash.
            "creation_datetime": "2026-11-24T15:30:00Z",
            "originator": {"id_type": "rfc822Name", "value": "olivia@example.org"},
        }
    )
    assert other.originator == Originator("rfc822Name", "olivia@example.org")
    with node.db.writing() as session:
        first = intern_label(session, one)
    with node.db.writing() as session:
        second = intern_label(session, other)
        again = intern_label(session, one)
    assert first.id == second.id == again.id
    (row,) = table_rows(node, StoredLabel)
    assert row["hash"] == label_hash(one) == label_hash(other)
    assert (row["policy"], row["classification"]) == ("NATO", "SECRET")
    assert label_from_json(row["canonical"]) == one


def test_interning_writes_one_category_row_per_value(node: Node) -> None:
    label = Label(
        "NATO",
        "SECRET",
        (
            LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset({"GBR", "FRA"})),
            LabelCategory(SCD, TagKind.RESTRICTIVE, frozenset({"ATOMAL"})),
            LabelCategory("Administrative", TagKind.INFORMATIVE, frozenset({"STAFF"})),
        ),
    )
    (label_id,) = intern_all(node, [label])
    rows = table_rows(node, StoredLabelCategory)
    assert {(r["label_id"], r["tag_set"], r["kind"], r["value"]) for r in rows} == {
        (label_id, RELEASABLE, "PERMISSIVE", "FRA"),
        (label_id, RELEASABLE, "PERMISSIVE", "GBR"),
        (label_id, SCD, "RESTRICTIVE", "ATOMAL"),
        (label_id, "Administrative", "INFORMATIVE", "STAFF"),
    }
    assert len(rows) == 4


def test_labels_differing_in_meaning_get_rows_of_their_own(node: Node) -> None:
    ids = intern_all(node, [*MIXED, nato("SECRET", {"GBR", "FRA"})])
    assert len(set(ids)) == len(MIXED)
    assert ids[-1] == ids[1]
    assert len(table_rows(node, StoredLabel)) == len(MIXED)
    hashes = {row["hash"] for row in table_rows(node, StoredLabel)}
    assert hashes == {label_hash(label) for label in MIXED}


def test_a_label_created_later_by_someone_else_reuses_the_row(node: Node) -> None:
    plain = nato("RESTRICTED", {"GBR"})
    dated = Label(
        "NATO",
        "RESTRICTED",
        plain.categories,
        creation_datetime=datetime(2026, 11, 24, 15, 30, tzinfo=UTC),
        originator=Originator("rfc822Name", "someone@example.org"),
    )
    assert intern_all(node, [plain]) == intern_all(node, [dated])
    assert len(table_rows(node, StoredLabel)) == 1


# --- decisions, made once per (clearance, distinct label) ---------------------------------


def test_a_read_decides_each_label_once_and_remembers(node: Node, decisions: Counter[str]) -> None:
    ids = intern_all(node, MIXED)
    want = expected(node, ids, MIXED, BRITISH_SECRET)
    assert want == {ids[0], ids[1]}  # unclassified, and SECRET releasable to GBR
    decisions.clear()
    assert read_visible(node, BRITISH_SECRET) == want
    assert decisions[clearance_key(BRITISH_SECRET)] == len(MIXED)
    assert read_visible(node, BRITISH_SECRET) == want
    assert remembered(node, BRITISH_SECRET) == Readable(max(ids), frozenset(want))
    assert decisions[clearance_key(BRITISH_SECRET)] == len(MIXED)  # nothing decided twice


def test_two_clearances_are_decided_and_remembered_apart(
    node: Node, decisions: Counter[str]
) -> None:
    ids = intern_all(node, MIXED)
    british = expected(node, ids, MIXED, BRITISH_SECRET)
    french = expected(node, ids, MIXED, FRENCH_ATOMAL)
    assert british != french  # the fixture must tell them apart
    decisions.clear()
    assert read_visible(node, BRITISH_SECRET) == british
    assert read_visible(node, FRENCH_ATOMAL) == french
    assert read_visible(node, BRITISH_SECRET) == british
    assert remembered(node, BRITISH_SECRET).ids == british
    assert remembered(node, FRENCH_ATOMAL).ids == french
    assert decisions == {
        clearance_key(BRITISH_SECRET): len(MIXED),
        clearance_key(FRENCH_ATOMAL): len(MIXED),
    }


def test_equal_clearances_share_their_decisions(node: Node, decisions: Counter[str]) -> None:
    ids = intern_all(node, MIXED)
    same = Clearance(
        "NATO",
        frozenset(BRITISH_SECRET.classifications),
        {RELEASABLE: frozenset({"GBR"}), SCD: frozenset()},
    )
    assert clearance_key(same) == clearance_key(BRITISH_SECRET)
    decisions.clear()
    british, shared = read_visible(node, BRITISH_SECRET), read_visible(node, same)
    assert sum(decisions.values()) == len(MIXED)
    assert british == shared == expected(node, ids, MIXED, same)


def test_a_clearance_of_an_unknown_policy_sees_nothing(node: Node) -> None:
    intern_all(node, MIXED)
    stranger = Clearance("ELSEWHERE", ALL_CLASSES, {RELEASABLE: frozenset({"GBR", "FRA"})})
    assert read_visible(node, stranger) == set()
    assert read_visible(node, stranger) == set()
    assert remembered(node, stranger).ids == frozenset()


def test_no_clearance_sees_nothing_and_decides_nothing(node: Node, decisions: Counter[str]) -> None:
    intern_all(node, MIXED)
    decisions.clear()
    assert read_visible(node, None) == set()
    assert not decisions


def test_visible_filters_in_sql_so_counts_and_pages_agree(node: Node) -> None:
    ids = intern_all(node, MIXED)
    want = sorted(expected(node, ids, MIXED, FRENCH_ATOMAL))
    with node.db.reading() as session:
        viewer = reader(FRENCH_ATOMAL)
        count = select(func.count()).select_from(StoredLabel)
        assert session.scalar(visible(session, count, viewer, StoredLabel.id)) == len(want)
        page = select(StoredLabel.id).order_by(StoredLabel.id.desc()).limit(2)
        assert list(session.scalars(visible(session, page, viewer, StoredLabel.id))) == [
            want[-1],
            want[-2],
        ]


# --- staleness: new labels, new policies ---------------------------------------------------


def test_a_label_committed_in_this_process_is_decided_on_the_very_next_read(
    node: Node, decisions: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A throttle no read will outlast: only the commit hook can make the next read look again.
    monkeypatch.setattr(store_labels, "REFRESH_SECONDS", 3600.0)
    first = intern_all(node, [nato("SECRET", {"GBR"})])
    assert read_visible(node, BRITISH_SECRET) == set(first)
    later = intern_all(node, [nato("CONFIDENTIAL", {"GBR", "FRA"}), nato("SECRET", {"FRA"})])
    decisions.clear()
    seen = read_visible(node, BRITISH_SECRET)
    assert seen == {*first, later[0]}
    assert decisions[clearance_key(BRITISH_SECRET)] == 2  # only the new labels
    assert remembered(node, BRITISH_SECRET) == Readable(max(later), frozenset(seen))


def test_a_label_from_another_process_is_denied_until_a_refresh_then_decided(
    node: Node, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_labels, "REFRESH_SECONDS", 3600.0)
    first = intern_all(node, [nato("SECRET", {"GBR"})])
    assert read_visible(node, BRITISH_SECRET) == set(first)
    other = Node.open(settings)  # another process: its own label authority
    try:
        (late,) = intern_all(other, [nato("RESTRICTED", {"GBR"})])
    finally:
        other.close()
    # This process has not looked yet: the new label is denied, never wrongly granted.
    assert read_visible(node, BRITISH_SECRET) == set(first)
    with node.db.reading() as session:
        assert node.labels.refresh(session) == late
        assert visible_labels(session, BRITISH_SECRET) == {*first, late}
    assert read_visible(node, BRITISH_SECRET) == {*first, late}


def test_a_label_from_another_process_is_decided_once_the_throttle_has_passed(
    node: Node, settings: Settings
) -> None:
    first = intern_all(node, [nato("SECRET", {"GBR"})])
    assert read_visible(node, BRITISH_SECRET) == set(first)
    other = Node.open(settings)
    try:
        (late,) = intern_all(other, [nato("RESTRICTED", {"GBR"})])
    finally:
        other.close()
    time.sleep(store_labels.REFRESH_SECONDS + 0.05)
    assert read_visible(node, BRITISH_SECRET) == {*first, late}


def test_installing_a_policy_makes_the_next_read_decide_again_alike(
    node: Node, decisions: Counter[str]
) -> None:
    ids = intern_all(node, MIXED)
    british = read_visible(node, BRITISH_SECRET)
    french = read_visible(node, FRENCH_ATOMAL)
    assert british == expected(node, ids, MIXED, BRITISH_SECRET)
    before = node.labels.registry
    with node.db.writing() as session:
        do_install_policy(session, SYSTEM, (REFERENCE / "public-policy-v1.spif.xml").read_bytes())
    assert [row["name"] for row in table_rows(node, InstalledPolicy)] == ["PUBLIC"]
    decisions.clear()
    assert read_visible(node, BRITISH_SECRET) == british
    assert read_visible(node, FRENCH_ATOMAL) == french
    assert decisions == {
        clearance_key(BRITISH_SECRET): len(MIXED),
        clearance_key(FRENCH_ATOMAL): len(MIXED),
    }
    assert node.labels.registry is not before
    assert node.labels.registry.get("PUBLIC") is not None


def test_labels_of_a_newly_installed_policy_become_readable(node: Node) -> None:
    unmarked = Label(
        "PUBLIC",
        "UNMARKED",
        (LabelCategory("In Confidence", TagKind.INFORMATIVE, frozenset({"STAFF"})),),
    )
    public = Clearance("PUBLIC", frozenset({"UNMARKED"}), {})
    (label_id,) = intern_all(node, [unmarked])
    assert read_visible(node, public) == set()  # unknown policy: denied
    with node.db.writing() as session:
        do_install_policy(session, SYSTEM, (REFERENCE / "public-policy-v1.spif.xml").read_bytes())
    assert read_visible(node, public) == {label_id}


def test_a_policy_installed_by_another_process_is_loaded_on_a_later_read(
    node: Node, settings: Settings
) -> None:
    public = Clearance("PUBLIC", frozenset({"UNMARKED"}), {})
    (label_id,) = intern_all(node, [Label("PUBLIC", "UNMARKED")])
    assert read_visible(node, public) == set()
    other = Node.open(settings)
    try:
        with other.db.writing() as session:
            spif = (REFERENCE / "public-policy-v1.spif.xml").read_bytes()
            do_install_policy(session, SYSTEM, spif)
    finally:
        other.close()
    with node.db.reading() as session:
        node.labels.refresh(session)
        assert visible_labels(session, public) == {label_id}


# --- reading inside a writing unit of work -------------------------------------------------


def _answer_within(seconds: float, work: Callable[[], T]) -> T:
    """Run `work` in a thread; fail (instead of hanging the suite) if it does not answer."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the test thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"visible() in a writing session did not answer in {seconds}s"
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


FRESH = [nato("RESTRICTED", {"GBR"}), nato("SECRET", {"FRA"}, "ATOMAL")]


def test_visible_in_a_writing_session_answers_for_labels_it_just_interned(node: Node) -> None:
    old = intern_all(node, MIXED)
    assert read_visible(node, BRITISH_SECRET) == expected(node, old, MIXED, BRITISH_SECRET)

    def write_then_read() -> tuple[list[int], set[int]]:
        with node.db.writing() as session:
            new = [intern_label(session, label).id for label in FRESH]
            return new, visible_labels(session, BRITISH_SECRET)

    new, seen = _answer_within(30, write_then_read)
    assert seen == expected(node, [*old, *new], [*MIXED, *FRESH], BRITISH_SECRET)
    assert new[0] in seen  # the session sees the label it has just written
    # After the commit, plain reads agree.
    assert read_visible(node, BRITISH_SECRET) == seen


def test_visible_in_a_writing_session_for_a_clearance_never_decided(node: Node) -> None:
    ids = intern_all(node, MIXED)

    def write_then_read() -> set[int]:
        with node.db.writing() as session:
            return visible_labels(session, FRENCH_ATOMAL)

    assert _answer_within(30, write_then_read) == expected(node, ids, MIXED, FRENCH_ATOMAL)
    assert read_visible(node, FRENCH_ATOMAL) == expected(node, ids, MIXED, FRENCH_ATOMAL)


@pytest.mark.parametrize("savepoint_after", [False, True])
def test_decisions_on_labels_of_a_rolled_back_unit_of_work_are_not_kept(
    node: Node, savepoint_after: bool
) -> None:
    """A label interned and read in a unit of work that then fails must leave no decision
    behind: on SQLite the next label may be given the same id."""
    old = intern_all(node, MIXED[:2])
    assert read_visible(node, BRITISH_SECRET) == set(old)
    doomed: list[int] = []

    def intern_and_read(session: Session) -> None:
        doomed.append(intern_label(session, nato("RESTRICTED", {"GBR"})).id)
        if savepoint_after:  # releasing a savepoint commits nothing yet
            with session.begin_nested():
                intern_label(session, nato("RESTRICTED", {"GBR"}))
        assert node.labels.refresh(session) == doomed[0]  # as any query in the unit may do
        assert visible_labels(session, BRITISH_SECRET) == {*old, doomed[0]}

    abandon(node, intern_and_read)
    assert table_rows(node, StoredLabel, StoredLabel.id == doomed[0]) == []
    (top_secret,) = intern_all(node, [nato("TOP SECRET", {"FRA"}, "ATOMAL")])
    assert not node.labels.registry.decide(nato("TOP SECRET", {"FRA"}, "ATOMAL"), BRITISH_SECRET)
    assert read_visible(node, BRITISH_SECRET) == set(old)
    assert top_secret not in read_visible(node, BRITISH_SECRET)


def test_a_read_during_another_units_uncommitted_write_misses_nothing_once_it_commits(
    node: Node,
) -> None:
    """A reader that runs while a writer holds an uncommitted label must decide that label
    once the writer commits."""
    old = intern_all(node, MIXED[:2])
    assert read_visible(node, FRENCH_ATOMAL) == expected(node, old, MIXED[:2], FRENCH_ATOMAL)
    shared = nato("RESTRICTED", {"GBR", "FRA"})
    with node.db.writing() as session:
        new = intern_label(session, shared).id
        assert node.labels.refresh(session) == new  # as any query in the unit may do
        assert new in visible_labels(session, FRENCH_ATOMAL)
        # Meanwhile another request reads, before the commit: it cannot see the label yet.
        assert read_visible(node, BRITISH_SECRET) == expected(node, old, MIXED[:2], BRITISH_SECRET)
    assert node.labels.registry.decide(shared, BRITISH_SECRET)
    assert new in read_visible(node, FRENCH_ATOMAL)
    assert new in read_visible(node, BRITISH_SECRET)


def test_a_label_committed_after_a_newer_one_is_still_decided(node: Node) -> None:
    """Ids are handed out when a label is inserted, not when it commits: a reader that has
    decided through a newer label must not skip an older one that commits later."""
    base = intern_all(node, [nato("UNCLASSIFIED")])
    assert read_visible(node, BRITISH_SECRET) == set(base)
    later: dict[str, int] = {}

    def commit_a_newer_label() -> None:
        with node.db.writing() as session:
            later["id"] = intern_label(session, nato("CONFIDENTIAL", {"GBR"})).id

    with node.db.writing() as slow:
        early = intern_label(slow, nato("RESTRICTED", {"GBR"})).id
        other = threading.Thread(target=commit_a_newer_label, daemon=True)
        other.start()
        other.join(1.0)  # it may commit now, or wait for this unit of work
        # A reader in between sees what is committed, and nothing of this unit yet.
        assert early not in read_visible(node, BRITISH_SECRET)
    other.join(30)
    assert not other.is_alive()
    assert read_visible(node, BRITISH_SECRET) == {*base, early, later["id"]}
