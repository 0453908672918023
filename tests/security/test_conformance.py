"""ADatP-4774 Table 17: every expected marking in spiffing's tests.xml, to the character."""

from pathlib import Path

import defusedxml.ElementTree as SafeElementTree
import pytest

from liaison.security import (
    Label,
    Policy,
    PolicyRegistry,
    label_from_xml,
    label_problem,
    label_problems,
    render_marking,
)
from liaison.security.safexml import XML_LANG

from .helpers import TABLE17, label
from .spiffing_compact import read_compact_label


def table17_tests() -> list[tuple[str, str, bool, str]]:
    tests = SafeElementTree.parse(TABLE17 / "tests.xml").getroot()
    for sequence in tests.findall("sequence"):
        policy = sequence.find("policy")
        if policy is not None and policy.get("spif") == "nato-4774-policy.xml":
            return [
                (
                    t.get("label", ""),
                    t.get(XML_LANG, "en"),
                    t.get("valid") == "true",
                    t.get("label-marking", ""),
                )
                for t in sequence.findall("test")
            ]
    raise AssertionError("tests.xml has no Table 17 sequence")


def read_label(name: str, policy: Policy) -> Label:
    # tests.xml names the 4774 XML files "nato-4774-17-N.nato"; they are stored with ".xml".
    if name.endswith(".nato"):
        return label_from_xml((TABLE17 / f"{name}.xml").read_bytes(), PolicyRegistry([policy]))
    return read_compact_label(Path(TABLE17 / name).read_bytes(), policy)


def test_the_sequence_is_all_there() -> None:
    tests = table17_tests()
    assert len(tests) == 14
    assert {lang for _, lang, _, _ in tests} == {"en", "en-GB", "fr", "fr-CA"}


@pytest.mark.parametrize(("name", "lang", "valid", "marking"), table17_tests())
def test_table17_marking(
    table17_policy: Policy, name: str, lang: str, valid: bool, marking: str
) -> None:
    read = read_label(name, table17_policy)
    assert (label_problem(table17_policy, read) is None) == valid
    assert render_marking(table17_policy, read, lang=lang) == marking


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    "name",
    ["nato-4774-17-1", "nato-4774-17-2", "nato-4774-17-3", "nato-4774-17-4", "nato-4774-17-6"],
)
def test_both_forms_of_a_label_agree(table17_policy: Policy, name: str, lang: str) -> None:
    compact = read_label(f"{name}.xml", table17_policy)
    nato_xml = read_label(f"{name}.nato", table17_policy)
    assert compact == nato_xml
    assert render_marking(table17_policy, compact, lang=lang) == render_marking(
        table17_policy, nato_xml, lang=lang
    )


@pytest.mark.parametrize("name", ["nato-4774-17-5.xml", "nato-4774-17-5.nato"])
def test_17_5_is_invalid(table17_policy: Policy, name: str) -> None:
    problems = list(label_problems(table17_policy, read_label(name, table17_policy)))
    assert problems == [
        "'EAPC' in 'Releasable To' is excluded at classification 'CONFIDENTIAL'",
        "'ISAF' in 'Releasable To' is excluded at classification 'CONFIDENTIAL'",
    ]


def test_french_cosmic_top_secret(table17_policy: Policy) -> None:
    # tests.xml has English only; the French follows the same SPIF data.
    top = read_label("nato-4774-extra-1.xml", table17_policy)
    assert render_marking(table17_policy, top, lang="fr") == "COSMIC TRES SECRET"


def test_uk_demo_markings_from_tests_xml(uk_demo: Policy) -> None:
    # tests.xml: encrypt-marking "DEMO-UK SECRET - UK / EU EYES ONLY"; the clearance marking
    # shows "OFFICIAL-SENSITIVE LOCSEN" for the Sensitive categories.
    from liaison.security import TagKind

    eyes_only = label("SECRET", ("National Caveats", TagKind.PERMISSIVE, {"UK", "EU"}), policy="UK")
    assert render_marking(uk_demo, eyes_only) == "DEMO-UK SECRET - UK / EU EYES ONLY"
    sensitive = label(
        "OFFICIAL",
        ("Sensitive", TagKind.RESTRICTIVE, {"SENSITIVE"}),
        ("Sensitive Descriptors", TagKind.RESTRICTIVE, {"LOCSEN"}),
        policy="UK",
    )
    assert label_problem(uk_demo, sensitive) is None
    assert render_marking(uk_demo, sensitive) == "DEMO-UK OFFICIAL-SENSITIVE LOCSEN"
