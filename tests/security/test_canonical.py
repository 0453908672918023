"""Canonical JSON, hashes, and the JSON and XML round trips."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.security import (
    Label,
    LabelCategory,
    LabelError,
    LabelRoot,
    Originator,
    Policy,
    PolicyRegistry,
    TagKind,
    ValueEncoding,
    canonical_json,
    canonicalize,
    label_from_json,
    label_from_xml,
    label_hash,
    label_to_json,
    label_to_xml,
)

from .helpers import RELEASABLE, SCD, TABLE17, label
from .strategies import valid_labels

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def labels_with_history(draw: st.DrawFn, policy: Policy) -> Label:
    base = draw(valid_labels(policy))
    return Label(
        base.policy,
        base.classification,
        base.categories,
        privacy_mark=draw(
            st.none()
            | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
        ),
        creation_datetime=draw(st.none() | moments),
        originator=draw(st.none() | st.builds(Originator, st.just("rfc822Name"), st.emails())),
        review_datetime=draw(st.none() | moments),
    )


def test_json_form_has_a_fixed_shape() -> None:
    written = label_to_json(
        label(
            "SECRET",
            (SCD, TagKind.RESTRICTIVE, {"ATOMAL"}),
            (RELEASABLE, TagKind.PERMISSIVE, {"NATO", "GBR"}),
        )
    )
    assert written == {
        "policy": "NATO",
        "classification": "SECRET",
        "categories": [
            {"tag_set": "Releasable To", "type": "PERMISSIVE", "values": ["GBR", "NATO"]},
            {
                "tag_set": "Special Category Designators",
                "type": "RESTRICTIVE",
                "values": ["ATOMAL"],
            },
        ],
    }


def test_hash_leaves_out_history_but_keeps_the_privacy_mark() -> None:
    plain = label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"GBR"}))
    dated = Label(
        plain.policy,
        plain.classification,
        plain.categories,
        creation_datetime=datetime(2024, 11, 24, 15, 30, tzinfo=UTC),
        originator=Originator("rfc822Name", "officer@example.org"),
        review_datetime=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert label_hash(dated) == label_hash(plain)
    assert canonical_json(plain) == (
        b'{"categories":[{"tag_set":"Releasable To","type":"PERMISSIVE","values":["GBR"]}],'
        b'"classification":"SECRET","policy":"NATO"}'
    )
    marked = Label(
        plain.policy, plain.classification, plain.categories, privacy_mark="IN CONFIDENCE"
    )
    assert label_hash(marked) != label_hash(plain)


def test_policy_named_by_oid_hashes_alike_once_canonical(nato: Policy) -> None:
    by_name = label("SECRET")
    by_oid = label("SECRET", policy="urn:oid:1.3.26.1.3.1")
    assert label_hash(canonicalize(nato, by_oid)) == label_hash(canonicalize(nato, by_name))
    with pytest.raises(LabelError, match="is not NATO"):
        canonicalize(nato, label("SECRET", policy="DEMO-GBR"))


@given(data=st.data())
def test_hash_is_stable_under_reordering_and_repetition(nato: Policy, data: st.DataObject) -> None:
    original = data.draw(valid_labels(nato))
    pieces = [
        LabelCategory(c.tag_set, c.kind, frozenset({value}))
        for c in original.categories
        for value in c.values
    ]
    shuffled = data.draw(st.permutations(pieces + pieces))
    rebuilt = Label(original.policy, original.classification, tuple(shuffled))
    assert rebuilt == original
    assert label_hash(rebuilt) == label_hash(original)
    document = label_to_json(original)
    for category in document["categories"]:
        category["values"] = data.draw(st.permutations(category["values"] * 2))
    document["categories"] = data.draw(st.permutations(document["categories"]))
    assert label_hash(label_from_json(json.dumps(document))) == label_hash(original)


@given(data=st.data())
def test_json_round_trip(nato: Policy, data: st.DataObject) -> None:
    original = data.draw(labels_with_history(nato))
    assert label_from_json(label_to_json(original)) == original
    assert label_from_json(json.dumps(label_to_json(original)).encode()) == original


@given(data=st.data())
def test_xml_round_trip(nato: Policy, registry: PolicyRegistry, data: st.DataObject) -> None:
    original = data.draw(labels_with_history(nato))
    encoding = data.draw(st.sampled_from(ValueEncoding))
    root = data.draw(st.sampled_from(LabelRoot))
    written = label_to_xml(original, root=root, policy=nato, encoding=encoding)
    assert label_from_xml(written, registry) == original
    assert label_from_xml(label_to_xml(original)) == original


def test_table17_label_reads_as_expected(registry: PolicyRegistry) -> None:
    read = label_from_xml((TABLE17 / "nato-4774-17-1.nato.xml").read_bytes())
    assert read == label(
        "UNCLASSIFIED",
        ("Context", TagKind.PERMISSIVE, {"NATO", "Releasable"}),
        (RELEASABLE, TagKind.PERMISSIVE, {"NATO", "ISAF", "KFOR", "RESOLUTE SUPPORT"}),
    )


def test_legacy_root_and_history_are_read(registry: PolicyRegistry) -> None:
    xml = b"""<ConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
        ReviewDateTime="2029-04-01T09:00:00Z">
      <ConfidentialityInformation>
        <PolicyIdentifier URI="urn:oid:1.3.26.1.3.1">NATO</PolicyIdentifier>
        <Classification>RESTRICTED</Classification>
        <PrivacyMark>STAFF IN CONFIDENCE</PrivacyMark>
        <Category TagName="Releasable To" Type="PERMISSIVE" URI="urn:oid:1.3.26.1.4.2">
          <IntegerValue>826</IntegerValue><GenericValue>FRA</GenericValue>
        </Category>
      </ConfidentialityInformation>
      <OriginatorID IDType="rfc822Name">officer@example.org</OriginatorID>
      <CreationDateTime>2019-04-01T09:00:00.9873126Z</CreationDateTime>
      <SuccessionHandling xmlns:x="urn:x"/>
    </ConfidentialityLabel>"""
    read = label_from_xml(xml, registry)
    assert read.categories == (
        LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset({"GBR", "FRA"})),
    )
    assert read.privacy_mark == "STAFF IN CONFIDENCE"
    assert read.originator == Originator("rfc822Name", "officer@example.org")
    assert read.creation_datetime == datetime(2019, 4, 1, 9, 0, 0, 987312, tzinfo=UTC)
    assert read.review_datetime == datetime(2029, 4, 1, 9, tzinfo=UTC)


def test_policy_given_only_by_uri_is_canonicalised(registry: PolicyRegistry) -> None:
    xml = b"""<originatorConfidentialityLabel
        xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
      <ConfidentialityInformation>
        <PolicyIdentifier>urn:oid:1.3.26.1.3.1</PolicyIdentifier>
        <Classification>SECRET</Classification>
      </ConfidentialityInformation>
    </originatorConfidentialityLabel>"""
    assert label_from_xml(xml).policy == "urn:oid:1.3.26.1.3.1"
    assert label_from_xml(xml, registry).policy == "NATO"


@pytest.mark.parametrize(
    ("identifier", "category_uri", "message"),
    [
        ('URI="urn:oid:2.25.99">NATO', "", "unknown policy 'urn:oid:2.25.99'"),
        ('URI="urn:oid:1.3.26.1.3.1">DEMO-GBR', "", "does not name the policy"),
        (">NATO", 'URI="urn:oid:1.3.26.1.4.1"', "which is not that tag set"),
        (">NATO", 'URI="https://example.org/releasable"', "which is not that tag set"),
    ],
)
def test_inconsistent_identifiers_are_refused(
    registry: PolicyRegistry, identifier: str, category_uri: str, message: str
) -> None:
    xml = f"""<originatorConfidentialityLabel
        xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
      <ConfidentialityInformation>
        <PolicyIdentifier {identifier}</PolicyIdentifier>
        <Classification>SECRET</Classification>
        <Category TagName="Releasable To" Type="PERMISSIVE" {category_uri}/>
      </ConfidentialityInformation>
    </originatorConfidentialityLabel>""".encode()
    with pytest.raises(LabelError, match=message):
        label_from_xml(xml, registry)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[]", "must be an object"),
        ("{", "not valid JSON"),
        ("[" * 50_000, "not valid JSON|over the limit"),
        ({"classification": "SECRET"}, "needs 'policy'"),
        ({"policy": "NATO", "classification": "SECRET", "colour": "red"}, "unknown fields"),
        ({"policy": "NATO", "classification": "S", "categories": {}}, "must be a list"),
        (
            {
                "policy": "NATO",
                "classification": "S",
                "categories": [{"tag_set": "X", "type": "SOME", "values": []}],
            },
            "type 'SOME'",
        ),
        (
            {
                "policy": "NATO",
                "classification": "S",
                "categories": [{"tag_set": "X", "type": "PERMISSIVE", "values": "GBR"}],
            },
            "list of strings",
        ),
        ({"policy": "NATO", "classification": "S", "creation_datetime": "soon"}, "not an ISO 8601"),
        ({"policy": "NATO", "classification": "S", "originator": "me"}, "must be an object"),
        ({"policy": "NATO", "classification": "S", "privacy_mark": 1}, "must be a string"),
        ({"policy": "NATO", "classification": "S", "categories": ["GBR"]}, "must be an object"),
        ({"policy": "NATO", "classification": "S", "review_datetime": 2030}, "must be a string"),
        ('{"policy": "' + "N" * 70_000 + '"}', "over the limit"),
    ],
)
def test_malformed_json_is_refused(document: object, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        label_from_json(document)  # type: ignore[arg-type]


def test_rendered_marking_in_json_is_ignored_on_input() -> None:
    document = {"policy": "NATO", "classification": "SECRET", "marking": "NATO SECRET"}
    assert label_from_json(document) == label("SECRET")


def test_writing_lacvs_needs_the_policy_and_known_values(nato: Policy) -> None:
    with pytest.raises(LabelError, match="writing IntegerValue needs the policy"):
        label_to_xml(label("SECRET"), encoding=ValueEncoding.INTEGER)
    unknown = label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"XYZ"}))
    with pytest.raises(LabelError, match="'XYZ' in 'Releasable To' has no integer lacv"):
        label_to_xml(unknown, policy=nato, encoding=ValueEncoding.BIT_STRING)


def test_originator_needs_an_id_type() -> None:
    xml = b"""<originatorConfidentialityLabel
        xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
      <ConfidentialityInformation>
        <PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>
      </ConfidentialityInformation>
      <OriginatorID>someone</OriginatorID>
    </originatorConfidentialityLabel>"""
    with pytest.raises(LabelError, match="OriginatorID has no IDType"):
        label_from_xml(xml)
