"""Translating labels between policies through SPIF equivalences."""

import pytest

from liaison.security import (
    EquivalenceError,
    Policy,
    TagKind,
    load_policy,
    render_marking,
    translate,
)

from .helpers import ADMIN, DATA, RELEASABLE, SCD, TABLE17, label


def national(classification: str, *categories: tuple[str, TagKind, set[str]]):  # type: ignore[no-untyped-def]
    return label(classification, *categories, policy="DEMO-GBR")


def test_national_to_nato(demo: Policy, nato: Policy) -> None:
    sensitive = national(
        "OFFICIAL",
        ("Caveats", TagKind.RESTRICTIVE, {"SENSITIVE"}),
        ("Releasable To", TagKind.PERMISSIVE, {"GBR", "FRA", "NATO"}),
        ("Descriptors", TagKind.INFORMATIVE, {"PERSONAL", "LOCSEN"}),
    )
    translated = translate(sensitive, demo, nato)
    assert translated == label(
        "RESTRICTED",
        (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "FRA", "NATO"}),
        (ADMIN, TagKind.INFORMATIVE, {"PERSONAL"}),
    )
    assert render_marking(nato, translated) == (
        "NATO RESTRICTED Releasable to France, United Kingdom, NATO - PERSONAL"
    )
    secret = national("SECRET", ("Caveats", TagKind.RESTRICTIVE, {"ATOMAL"}))
    assert translate(secret, demo, nato) == label("SECRET", (SCD, TagKind.RESTRICTIVE, {"ATOMAL"}))
    assert translate(national("TOP SECRET"), demo, nato) == label("TOP SECRET")


def test_nato_to_national(demo: Policy, nato: Policy) -> None:
    atomal = label(
        "CONFIDENTIAL",
        (SCD, TagKind.RESTRICTIVE, {"ATOMAL"}),
        (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "USA"}),
        (ADMIN, TagKind.INFORMATIVE, {"STAFF"}),
    )
    assert translate(atomal, nato, demo) == national(
        "SECRET",
        ("Caveats", TagKind.RESTRICTIVE, {"ATOMAL"}),
        ("Releasable To", TagKind.PERMISSIVE, {"GBR", "USA"}),
    )


@pytest.mark.parametrize(
    ("source_label", "message"),
    [
        (
            national("SECRET", ("Caveats", TagKind.RESTRICTIVE, {"EXAMPLE"})),
            "'EXAMPLE' in 'Caveats' has no equivalent in NATO",
        ),
        (
            national("SECRET", ("Caveats", TagKind.RESTRICTIVE, {"GHOST"})),
            "not valid under DEMO-GBR",
        ),
    ],
)
def test_national_without_equivalent(
    demo: Policy, nato: Policy, source_label: object, message: str
) -> None:
    with pytest.raises(EquivalenceError, match=message):
        translate(source_label, demo, nato)  # type: ignore[arg-type]


def test_nato_values_the_nation_lacks(demo: Policy, nato: Policy) -> None:
    with pytest.raises(
        EquivalenceError, match="'ALB' in 'Releasable To' has no equivalent in DEMO-GBR"
    ):
        translate(label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"ALB"})), nato, demo)
    with pytest.raises(EquivalenceError, match="'CRYPTO' in 'Special Category Designators'"):
        translate(label("SECRET", (SCD, TagKind.RESTRICTIVE, {"CRYPTO"})), nato, demo)


def test_policies_without_equivalence(nato: Policy) -> None:
    uk = load_policy(TABLE17 / "uk-demo.xml")
    with pytest.raises(EquivalenceError, match="UK and NATO declare no equivalence"):
        translate(label("SECRET", policy="UK"), uk, nato)


def test_incoming_equivalences_of_the_target_are_used() -> None:
    home = load_policy(DATA / "incoming-home.spif.xml")
    away = load_policy(DATA / "incoming-away.spif.xml")
    # AWAY LOW is accepted as HOME LOW and HOME MEDIUM: the higher wins.
    assert translate(label("AWAY LOW", policy="AWAY"), away, home) == label(
        "HOME MEDIUM", policy="HOME"
    )
    # AWAY HIGH becomes HOME HIGH, which adds Origin AWAY; Releasable HOME becomes Origin AWAY.
    high = label("AWAY HIGH", ("Releasable", TagKind.PERMISSIVE, {"HOME"}), policy="AWAY")
    assert translate(high, away, home) == label(
        "HOME HIGH", ("Origin", TagKind.PERMISSIVE, {"AWAY"}), policy="HOME"
    )
    with pytest.raises(
        EquivalenceError, match="classification 'AWAY TOP' has no equivalent in HOME"
    ):
        translate(label("AWAY TOP", policy="AWAY"), away, home)
    fourth = label("AWAY LOW", ("Releasable", TagKind.PERMISSIVE, {"FOURTH"}), policy="AWAY")
    with pytest.raises(EquivalenceError, match="'FOURTH' in 'Releasable' has no equivalent"):
        translate(fourth, away, home)


def test_discards_never_empty_a_permissive_set() -> None:
    home = load_policy(DATA / "incoming-home.spif.xml")
    away = load_policy(DATA / "incoming-away.spif.xml")
    both = label("AWAY LOW", ("Releasable", TagKind.PERMISSIVE, {"HOME", "THIRD"}), policy="AWAY")
    assert translate(both, away, home) == label(
        "HOME MEDIUM", ("Origin", TagKind.PERMISSIVE, {"AWAY"}), policy="HOME"
    )
    # Were THIRD's only value dropped, the set would vanish and release to everyone.
    only_third = label("AWAY LOW", ("Releasable", TagKind.PERMISSIVE, {"THIRD"}), policy="AWAY")
    with pytest.raises(EquivalenceError, match="every value of permissive tag set 'Releasable'"):
        translate(only_third, away, home)
