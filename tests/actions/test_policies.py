"""Policy actions: installing a SPIF, preparing labels for writing, and setting clearances."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from liaison.actions.accounts import do_set_clearance
from liaison.actions.policies import do_install_policy, prepare_label
from liaison.domain.accounts import SYSTEM, Principal, Role
from liaison.domain.errors import Conflict, Forbidden, Invalid
from liaison.node import Node
from liaison.queries.policies import get_policy, list_policies
from liaison.security import Clearance, Label, LabelCategory, TagKind, label_hash
from liaison.store.models import AuditEntry, InstalledPolicy, OutboxEvent, StoredLabel, User
from tests.conftest import UserFactory, table_rows

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "security-policy"
PUBLIC_SPIF = REFERENCE / "public-policy-v1.spif.xml"
BROKEN = Path(__file__).resolve().parents[1] / "security" / "data"
RELEASABLE = "Releasable To"
SCD = "Special Category Designators"


def principal(*roles: Role, clearance: Clearance | None = None) -> Principal:
    return Principal(uuid.uuid4(), "pat", "Pat", "GBR", frozenset(roles), None, clearance)


OFFICER = principal(Role.OFFICER)
ADMIN = principal(Role.ADMIN)
SECURITY_OFFICER = principal(Role.SECURITY_OFFICER)

BRITISH_SECRET = Clearance(
    "NATO",
    frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}),
    {RELEASABLE: frozenset({"GBR", "NATO"})},
)


def nato(classification: str, *categories: tuple[str, TagKind, set[str]]) -> Label:
    return Label(
        "NATO",
        classification,
        tuple(LabelCategory(name, kind, frozenset(values)) for name, kind, values in categories),
    )


def install(node: Node, actor: Principal, spif: bytes) -> InstalledPolicy:
    with node.db.writing() as session:
        return do_install_policy(session, actor, spif)


def policy_names(node: Node) -> list[str]:
    with node.db.reading() as session:
        return [policy.name for policy in list_policies(session)]


def nothing_recorded(node: Node) -> bool:
    return not table_rows(node, InstalledPolicy) and not table_rows(node, AuditEntry)


# --- installing policies -------------------------------------------------------------------


def test_the_public_spif_installs_and_is_listed(node: Node) -> None:
    assert policy_names(node) == ["DEMO-GBR", "NATO"]
    row = install(node, SECURITY_OFFICER, PUBLIC_SPIF.read_bytes())
    assert (row.name, row.policy_id, row.loaded_by) == (
        "PUBLIC",
        "1.3.6.1.4.1.31778.12.2.1",
        SECURITY_OFFICER.user_id,
    )
    assert policy_names(node) == ["DEMO-GBR", "NATO", "PUBLIC"]
    with node.db.reading() as session:
        assert get_policy(session, "1.3.6.1.4.1.31778.12.2.1").name == "PUBLIC"
        assert [c.name for c in get_policy(session, "PUBLIC").classifications] == ["UNMARKED"]
    (stored,) = table_rows(node, InstalledPolicy)
    assert stored["spif"] == PUBLIC_SPIF.read_text(encoding="utf-8")


def test_an_installed_policy_is_known_to_a_node_opened_later(node: Node) -> None:
    install(node, SYSTEM, PUBLIC_SPIF.read_bytes())
    fresh = Node.open(node.settings)
    try:
        with fresh.db.reading() as session:
            assert "PUBLIC" in [policy.name for policy in list_policies(session)]
    finally:
        fresh.close()


@pytest.mark.parametrize("actor", [OFFICER, ADMIN], ids=["officer", "admin"])
def test_installing_needs_the_security_officer_role(node: Node, actor: Principal) -> None:
    with pytest.raises(Forbidden, match="security_officer"):
        install(node, actor, PUBLIC_SPIF.read_bytes())
    assert nothing_recorded(node)
    assert "PUBLIC" not in policy_names(node)


@pytest.mark.parametrize(
    ("file", "fault"),
    [
        ("duplicate-classification-lacv", "duplicate classification lacv 1"),
        ("duplicate-tag-category-name", "duplicate tag category name 'ALPHA'"),
        ("unknown-excluded-class", "excludedClass 'MEDIUM' is unknown"),
        ("unknown-policy-ref", "policyRef 'ELSEWHERE' names no equivalentPolicy"),
    ],
)
def test_a_broken_spif_is_invalid_naming_the_fault(node: Node, file: str, fault: str) -> None:
    with pytest.raises(Invalid, match=fault) as refused:
        install(node, SECURITY_OFFICER, (BROKEN / f"{file}.spif.xml").read_bytes())
    assert refused.value.field == "spif"
    assert nothing_recorded(node)


@pytest.mark.parametrize(
    ("spif", "fault"),
    [
        (b"", "policy refused"),
        (b"not xml at all", "policy refused"),
        (b"<SPIF/>", "not an XML-SPIF"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<SPIF xmlns="http://www.xmlspif.org/spif">&e;</SPIF>',
            "forbidden XML feature",
        ),
        (b"<a>" * 100_000 + b"</a>" * 100_000, "deeper than"),
    ],
    ids=["empty", "garbage", "not-a-spif", "external-entity", "deep"],
)
def test_malformed_and_hostile_spifs_are_invalid(node: Node, spif: bytes, fault: str) -> None:
    with pytest.raises(Invalid, match=fault):
        install(node, SECURITY_OFFICER, spif)
    assert nothing_recorded(node)


def test_a_policy_already_known_is_a_conflict(node: Node) -> None:
    # An older NATO SPIF has the OID of the node's own NATO policy.
    older_nato = REFERENCE / "nato-4774-table17" / "nato-4774-policy.xml"
    with pytest.raises(Conflict, match=r"NATO \(1\.3\.26\.1\.3\.1\) is already installed"):
        install(node, SECURITY_OFFICER, older_nato.read_bytes())
    install(node, SECURITY_OFFICER, PUBLIC_SPIF.read_bytes())
    with pytest.raises(Conflict, match="PUBLIC"):
        install(node, SECURITY_OFFICER, PUBLIC_SPIF.read_bytes())
    assert [row["name"] for row in table_rows(node, InstalledPolicy)] == ["PUBLIC"]
    assert len(table_rows(node, AuditEntry, AuditEntry.action == "policy.install")) == 1


def test_an_install_is_audited_with_a_hash_and_never_the_spif(node: Node) -> None:
    spif = PUBLIC_SPIF.read_bytes()
    install(node, SECURITY_OFFICER, spif)
    (entry,) = table_rows(node, AuditEntry, AuditEntry.action == "policy.install")
    assert entry["content_hash"] == hashlib.sha256(spif).hexdigest()
    assert entry["actor_id"] == SECURITY_OFFICER.user_id
    assert entry["decision"] == "granted"
    assert (entry["object_type"], entry["object_id"]) == ("policy", "1.3.6.1.4.1.31778.12.2.1")
    assert "PUBLIC" in entry["reason"]
    text = " ".join(value for value in entry.values() if isinstance(value, str))
    for fragment in ("<", "securityClassification", "UNMARKED", "In Confidence", "Graeme"):
        assert fragment not in text
    (event,) = table_rows(node, OutboxEvent, OutboxEvent.kind == "policy.installed")
    assert event["payload"] == {"name": "PUBLIC", "policy_id": "1.3.6.1.4.1.31778.12.2.1"}


# --- preparing labels ----------------------------------------------------------------------


def prepare(node: Node, author: Principal, label: Label) -> StoredLabel:
    with node.db.writing() as session:
        return prepare_label(session, author, label)


CLEARED = principal(Role.OFFICER, clearance=BRITISH_SECRET)


def test_a_valid_label_is_stored_canonically(node: Node) -> None:
    label = nato("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "FRA"}))
    by_oid = Label("urn:oid:1.3.26.1.3.1", "SECRET", label.categories)
    row = prepare(node, CLEARED, by_oid)
    assert (row.policy, row.classification, row.hash) == ("NATO", "SECRET", label_hash(label))
    assert prepare(node, CLEARED, label).id == row.id
    assert len(table_rows(node, StoredLabel)) == 1


@pytest.mark.parametrize(
    ("label", "fault"),
    [
        (Label("ELSEWHERE", "SECRET"), "unknown policy 'ELSEWHERE'"),
        (nato("HUSH-HUSH"), "unknown classification 'HUSH-HUSH'"),
        (nato("SECRET", ("Eyes Only", TagKind.PERMISSIVE, {"GBR"})), "unknown tag set 'Eyes Only'"),
        (
            nato("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "ATLANTIS"})),
            "unknown value 'ATLANTIS' in tag set 'Releasable To'",
        ),
        (
            nato("SECRET", (RELEASABLE, TagKind.RESTRICTIVE, {"GBR"})),
            "'Releasable To' has no restrictive categories",
        ),
        (
            nato("UNCLASSIFIED", (SCD, TagKind.RESTRICTIVE, {"ATOMAL"})),
            "'ATOMAL' in 'Special Category Designators' is excluded at classification",
        ),
    ],
    ids=["policy", "classification", "tag-set", "value", "kind", "excluded"],
)
def test_an_invalid_label_is_refused_naming_the_fault(node: Node, label: Label, fault: str) -> None:
    author = principal(Role.OFFICER, clearance=Clearance("NATO", frozenset({"TOP SECRET"}), {}))
    with pytest.raises(Invalid, match=fault) as refused:
        prepare(node, author, label)
    assert refused.value.field == "label"
    assert table_rows(node, StoredLabel) == []


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        (nato("TOP SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"GBR"})), "TOP SECRET"),
        (nato("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"FRA"})), "Releasable To"),
        (
            nato(
                "SECRET",
                (RELEASABLE, TagKind.PERMISSIVE, {"GBR"}),
                (SCD, TagKind.RESTRICTIVE, {"ATOMAL"}),
            ),
            "ATOMAL",
        ),
    ],
    ids=["classification", "releasability", "caveat"],
)
def test_a_label_above_the_authors_clearance_is_a_write_up(
    node: Node, label: Label, reason: str
) -> None:
    with pytest.raises(Invalid, match=f"above your own clearance.*{reason}"):
        prepare(node, CLEARED, label)
    assert table_rows(node, StoredLabel) == []


def test_an_author_without_clearance_cannot_label(node: Node) -> None:
    with pytest.raises(Invalid, match="no clearance"):
        prepare(node, OFFICER, nato("UNCLASSIFIED"))
    assert table_rows(node, StoredLabel) == []


def test_labels_of_an_installed_policy_can_be_prepared(node: Node) -> None:
    public = Label("PUBLIC", "UNMARKED")
    author = principal(Role.OFFICER, clearance=Clearance("PUBLIC", frozenset({"UNMARKED"}), {}))
    with pytest.raises(Invalid, match="unknown policy 'PUBLIC'"):
        prepare(node, author, public)
    install(node, SYSTEM, PUBLIC_SPIF.read_bytes())
    assert prepare(node, author, public).policy == "PUBLIC"


# --- clearances ----------------------------------------------------------------------------


def set_clearance(node: Node, actor: Principal, user: User, clearance: Any) -> User:
    with node.db.writing() as session:
        return do_set_clearance(session, actor, user.id, clearance)


def stored(node: Node, user: User) -> Any:
    (row,) = table_rows(node, User, User.id == user.id)
    return row["clearance"]


@pytest.mark.parametrize("actor", [OFFICER, ADMIN], ids=["officer", "admin"])
def test_only_a_security_officer_sets_clearances(
    node: Node, make_user: UserFactory, actor: Principal
) -> None:
    user = make_user("olivia")
    with pytest.raises(Forbidden, match="security_officer"):
        set_clearance(node, actor, user, {"policy": "NATO", "classifications": ["SECRET"]})
    with pytest.raises(Forbidden):
        set_clearance(node, actor, user, None)
    assert stored(node, user) is None
    assert table_rows(node, AuditEntry, AuditEntry.action == "user.clearance") == []


def test_a_clearance_is_stored_canonically_as_people_say_it(
    node: Node, make_user: UserFactory
) -> None:
    user = make_user("olivia")
    set_clearance(
        node,
        SECURITY_OFFICER,
        user,
        {
            "policy": "1.3.26.1.3.1",
            "classifications": ["NATO SECRET", "NATO UNCLASSIFIED", "COSMIC TOP SECRET"],
            "categories": {RELEASABLE: ["NATO", "GBR"], SCD: ["ATOMAL"]},
        },
    )
    assert stored(node, user) == {
        "policy": "NATO",
        "classifications": ["SECRET", "TOP SECRET", "UNCLASSIFIED"],
        "categories": {RELEASABLE: ["GBR", "NATO"], SCD: ["ATOMAL"]},
    }
    (entry,) = table_rows(node, AuditEntry, AuditEntry.action == "user.clearance")
    assert (entry["object_id"], entry["reason"]) == (str(user.id), "policy NATO")
    set_clearance(node, SECURITY_OFFICER, user, None)
    assert stored(node, user) is None


@pytest.mark.parametrize(
    ("clearance", "fault"),
    [
        ({"policy": "ELSEWHERE", "classifications": ["SECRET"]}, "unknown policy 'ELSEWHERE'"),
        (
            {"policy": "NATO", "classifications": ["SECRET", "ULTRA"]},
            "unknown classification 'ULTRA' in policy NATO",
        ),
        (
            {"policy": "NATO", "classifications": ["SECRET"], "categories": {"Eyes Only": ["GBR"]}},
            "unknown tag set 'Eyes Only' in policy NATO",
        ),
        (
            {"policy": "NATO", "classifications": ["SECRET"], "categories": {RELEASABLE: ["XYZ"]}},
            "unknown value 'XYZ' in tag set 'Releasable To'",
        ),
        (
            {"policy": "NATO", "classifications": ["SECRET"], "colour": "blue"},
            "unknown fields",
        ),
    ],
    ids=["policy", "classification", "tag-set", "value", "field"],
)
def test_a_clearance_naming_what_the_policy_lacks_is_invalid(
    node: Node, make_user: UserFactory, clearance: dict[str, Any], fault: str
) -> None:
    user = make_user("olivia")
    with pytest.raises(Invalid, match=fault) as refused:
        set_clearance(node, SECURITY_OFFICER, user, clearance)
    assert refused.value.field == "clearance"
    assert stored(node, user) is None
