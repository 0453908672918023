"""Reading SPIFs: the reference files, the project's own, and broken ones."""

import pytest

from liaison.security import Policy, PolicyError, TagKind, load_policy

from .helpers import DATA, REFERENCE, TABLE17


def counts(policy: Policy) -> dict[str, int]:
    return {t.name: sum(len(tag.categories) for tag in t.tags) for t in policy.tag_sets}


def test_nato_v88_is_refused_strictly_because_it_repeats_categories() -> None:
    with pytest.raises(PolicyError, match="duplicate lacv 1001 for tag categories 'OCCAR' and"):
        load_policy(REFERENCE / "nato-policy-v88.spif.xml")


def test_nato_v88_loads_leniently_with_the_right_counts() -> None:
    policy = load_policy(REFERENCE / "nato-policy-v88.spif.xml", strict=False)
    assert (policy.name, policy.id, policy.version) == ("NATO", "1.3.26.1.3.1", "88")
    assert [c.name for c in policy.classifications] == [
        "UNCLASSIFIED",
        "RESTRICTED",
        "CONFIDENTIAL",
        "SECRET",
        "TOP SECRET",
    ]
    # Distinct values; the file repeats NATO, EAPC, KFOR, PFP, RESOLUTE SUPPORT and NATO (Context).
    assert counts(policy) == {
        "Special Category Designators": 4,
        "Releasable To": 88,
        "Administrative": 5,
        "Context": 9,
        "Only": 84,
        "Limited": 1,
    }
    assert len(policy.defects) == 7
    assert {t.name: t.tags[0].kind for t in policy.tag_sets}[
        "Administrative"
    ] is TagKind.INFORMATIVE
    # First definitions win; a lacv two names share resolves to neither.
    index = policy.index
    eapc = index.category("Releasable To", TagKind.PERMISSIVE, "EAPC")
    assert eapc is not None
    assert eapc.category.lacv == 2001
    assert index.category_by_lacv("Releasable To", TagKind.PERMISSIVE, 1001) is None
    nu = [p.phrase for p in index.classes_by_name["UNCLASSIFIED"].markings.phrases]
    assert nu == ["UNCLASSIFIED", "SANS CLASSIFICATION", "NU"]


def test_table17_policy_loads() -> None:
    policy = load_policy(TABLE17 / "nato-4774-policy.xml")
    assert policy.version == "79"
    assert counts(policy) == {
        "Additional Sensitivity": 9,
        "Releasable To": 90,
        "Only": 90,
        "Administrative": 5,
        "Context": 11,
    }
    assert policy.defects == ()


def test_public_policy_loads() -> None:
    policy = load_policy(REFERENCE / "public-policy-v1.spif.xml")
    assert (policy.name, [c.name for c in policy.classifications]) == ("PUBLIC", ["UNMARKED"])
    assert counts(policy) == {"In Confidence": 9}


def test_project_policies_load_strictly(nato: Policy, demo: Policy) -> None:
    assert nato.defects == ()
    assert demo.defects == ()
    assert [c.name for c in nato.classifications][-1] == "TOP SECRET"
    releasable = nato.index.categories[("Releasable To", TagKind.PERMISSIVE)]
    assert {"GBR", "FRA", "USA", "NATO", "KFOR", "EU"} <= set(releasable)
    nations = [
        e
        for e in releasable.values()
        if isinstance(e.category.lacv, int) and e.category.lacv < 1000
    ]
    assert len(nations) == 32  # NATO's members, by ISO 3166 numeric code
    assert nato.equivalent_policy(demo) is not None
    assert demo.equivalent_policy(nato) is not None


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("duplicate-classification-lacv", "duplicate classification lacv 1"),
        ("duplicate-classification-name", "duplicate classification name 'LOW'"),
        ("duplicate-tag-category-name", "duplicate tag category name 'ALPHA'"),
        ("duplicate-tag-category-lacv", "duplicate lacv 1 for tag categories 'ALPHA' and 'BRAVO'"),
        ("duplicate-excluded-class", "ALPHA.*duplicate excluded classification 'LOW'"),
        ("duplicate-tag-set-id", "duplicate tag set id '2.25.1.1'"),
        ("unknown-excluded-class", "excludedClass 'MEDIUM' is unknown"),
        ("unknown-required-tag-set", "restrictive tag set 'Nowhere'"),
        ("unknown-required-lacv", "lacv 9 of tag set 'Caveats'"),
        ("unknown-policy-ref", "policyRef 'ELSEWHERE' names no equivalentPolicy"),
        ("unknown-marking-code", "unknown marking code 'pageMiddle'"),
    ],
)
def test_broken_spif_is_refused_naming_the_fault(file: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(DATA / f"{file}.spif.xml")


def test_lenient_loading_still_refuses_other_faults() -> None:
    with pytest.raises(PolicyError, match="duplicate excluded classification"):
        load_policy(DATA / "duplicate-excluded-class.spif.xml", strict=False)


def test_missing_file_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(DATA / "no-such.spif.xml")


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<SPIF/>", "not an XML-SPIF"),
        (b'<SPIF xmlns="http://www.xmlspif.org/spif"/>', "exactly one securityPolicyId"),
        (
            b'<SPIF xmlns="http://www.xmlspif.org/spif"><securityPolicyId name="X"/>'
            b"<securityClassifications/></SPIF>",
            "missing attribute 'id'",
        ),
        (
            b'<SPIF xmlns="http://www.xmlspif.org/spif"><securityPolicyId name="X" id="1.2"/>'
            b'<securityClassifications><securityClassification name="A" lacv="one" hierarchy="1"/>'
            b"</securityClassifications></SPIF>",
            "lacv 'one' is not an integer",
        ),
    ],
)
def test_malformed_spif_is_refused(xml: bytes, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(xml)


def spif(body: str) -> bytes:
    return (
        '<SPIF xmlns="http://www.xmlspif.org/spif"><securityPolicyId name="T" id="2.25.40"/>'
        f"{body}</SPIF>"
    ).encode()


LOW = '<securityClassifications><securityClassification name="LOW" lacv="1" hierarchy="1"/>'
OPEN = '<securityClassifications><securityClassification name="LOW" lacv="1" hierarchy="1">'
CLOSE = "</securityClassification></securityClassifications>"
ALL_OF_S = '<requiredCategory operation="all"><categoryGroup tagSetRef="S" tagType="restrictive" '


def tag(attributes: str, inner: str = '<tagCategory name="A" lacv="1"/>') -> bytes:
    return spif(
        f"{LOW}</securityClassifications><securityCategoryTagSets>"
        '<securityCategoryTagSet name="S" id="2.25.40.1">'
        f'<securityCategoryTag name="S" {attributes}>'
        f"{inner}</securityCategoryTag></securityCategoryTagSet></securityCategoryTagSets>"
    )


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (spif(""), "exactly one securityClassifications"),
        (spif("<securityClassifications/>"), "at least one securityClassification"),
        (
            spif(
                f"{LOW}</securityClassifications><securityCategoryTagSets>"
                '<securityCategoryTagSet name="S" id="2.25.40.1"/></securityCategoryTagSets>'
            ),
            "no securityCategoryTag",
        ),
        (tag('tagType="notApplicable"'), "unsupported tagType 'notApplicable'"),
        (tag('tagType="enumerated"'), "enumerated tag without enumType"),
        (tag('tagType="restrictive" maxSelection="many"'), "maxSelection 'many' is not an integer"),
        (
            tag(
                'tagType="restrictive"',
                "<markingQualifier>"
                '<qualifier qualifierCode="infix" markingQualifier="x"/></markingQualifier>',
            ),
            "unknown qualifierCode 'infix'",
        ),
        (
            tag(
                'tagType="restrictive"',
                '<markingQualifier><qualifier qualifierCode="prefix"/></markingQualifier>',
            ),
            "qualifier without markingQualifier",
        ),
        (
            tag(
                'tagType="restrictive"',
                '<tagCategory name="A" lacv="1"><requiredCategory operation="all">'
                '<categoryGroup tagSetRef="S" tagType="restrictive" lacv="1" all="true"/>'
                "</requiredCategory></tagCategory>",
            ),
            "exactly one of lacv and all",
        ),
        (
            tag(
                'tagType="restrictive"',
                '<tagCategory name="A" lacv="1"><requiredCategory operation="most">'
                '<categoryGroup tagSetRef="S" tagType="restrictive" lacv="1"/>'
                "</requiredCategory></tagCategory>",
            ),
            "unknown requiredCategory operation 'most'",
        ),
        (
            tag(
                'tagType="restrictive"',
                '<tagCategory name="A" lacv="1"><requiredCategory operation="all"/></tagCategory>',
            ),
            "requiredCategory without categoryGroup",
        ),
        (
            tag('tagType="restrictive"', '<tagCategory name="A" lacv="1" requiredClass="MIDDLE"/>'),
            "requiredClass 'MIDDLE' is unknown",
        ),
        (
            spif(
                f"{OPEN}"
                '<equivalentClassification policyRef="O" lacv="1" applied="sometimes"/>'
                "</securityClassification></securityClassifications>"
            ),
            "unknown applied value 'sometimes'",
        ),
        (
            spif(
                f"{OPEN}"
                '<equivalentClassification policyRef="O" lacv="1" applied="both">'
                f'{ALL_OF_S}all="true"/>'
                "</requiredCategory></equivalentClassification></securityClassification>"
                "</securityClassifications><equivalentPolicies>"
                '<equivalentPolicy name="O" id="2.25.41"/></equivalentPolicies>'
            ),
            "requiredCategory of an equivalence must name a lacv",
        ),
        (
            spif(
                f"{OPEN}"
                f'{ALL_OF_S}lacv="1"/>'
                "</requiredCategory></securityClassification></securityClassifications>"
            ),
            "classification 'LOW': refers to restrictive tag set 'S'",
        ),
    ],
)
def test_spif_faults_are_named(xml: bytes, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(xml)


def test_policy_repr_is_short() -> None:
    policy = load_policy(DATA / "rules.spif.xml")
    assert repr(policy) == "Policy(name='RULES', id='2.25.30', version=None)"
