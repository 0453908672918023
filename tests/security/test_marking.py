"""Markings of the project's policies, in English and French, banners and portions."""

import pytest

from liaison.security import LabelError, MarkingLocation, Policy, TagKind, render_marking

from .helpers import ADMIN, RELEASABLE, SCD, label

PORTION = MarkingLocation.PORTION


@pytest.mark.parametrize(
    ("classification", "english", "french", "portion"),
    [
        ("UNCLASSIFIED", "NATO UNCLASSIFIED", "NATO SANS CLASSIFICATION", "NU"),
        ("RESTRICTED", "NATO RESTRICTED", "NATO DIFFUSION RESTREINTE", "NR"),
        ("CONFIDENTIAL", "NATO CONFIDENTIAL", "NATO CONFIDENTIEL", "NC"),
        ("SECRET", "NATO SECRET", "NATO SECRET", "NS"),
        ("TOP SECRET", "COSMIC TOP SECRET", "COSMIC TRÈS SECRET", "CTS"),
    ],
)
def test_nato_classifications(
    nato: Policy, classification: str, english: str, french: str, portion: str
) -> None:
    plain = label(classification)
    assert render_marking(nato, plain) == english
    assert render_marking(nato, plain, lang="fr-BE") == french
    assert render_marking(nato, plain, location=PORTION) == portion
    assert render_marking(nato, plain, lang="fr", location=PORTION) == portion


def test_nato_categories_in_spif_order(nato: Policy) -> None:
    full = label(
        "SECRET",
        (ADMIN, TagKind.INFORMATIVE, {"STAFF", "MANAGEMENT"}),
        (RELEASABLE, TagKind.PERMISSIVE, {"NATO", "GBR", "FRA", "KFOR"}),
        (SCD, TagKind.RESTRICTIVE, {"CRYPTO", "ATOMAL"}),
    )
    assert render_marking(nato, full) == (
        "NATO SECRET ATOMAL CRYPTO Releasable to France, United Kingdom, NATO, KFOR"
        " - MANAGEMENT STAFF"
    )
    assert render_marking(nato, full, lang="fr") == (
        "NATO SECRET ATOMAL CRYPTO Communicable à France, Royaume-Uni, OTAN, KFOR"
        " - MANAGEMENT STAFF"
    )
    assert render_marking(nato, full, location=PORTION) == "NS"


def test_demo_national_markings(demo: Policy) -> None:
    sensitive = label(
        "OFFICIAL",
        ("Caveats", TagKind.RESTRICTIVE, {"SENSITIVE"}),
        ("Releasable To", TagKind.PERMISSIVE, {"GBR", "FRA"}),
        ("Descriptors", TagKind.INFORMATIVE, {"PERSONAL"}),
        policy="DEMO-GBR",
    )
    assert (
        render_marking(demo, sensitive)
        == "DEMO OFFICIAL-SENSITIVE Releasable to FRA, GBR - PERSONAL"
    )
    assert render_marking(demo, sensitive, lang="fr") == (
        "DEMO OFFICIEL-SENSIBLE Communicable à FRA, GBR - PERSONAL"
    )
    assert render_marking(demo, sensitive, location=PORTION) == "O"
    assert (
        render_marking(demo, label("TOP SECRET", policy="DEMO-GBR"), lang="fr")
        == "DEMO TRÈS SECRET"
    )


def test_unmarked_public_classification_shows_only_the_policy() -> None:
    from liaison.security import load_policy

    from .helpers import REFERENCE

    public = load_policy(REFERENCE / "public-policy-v1.spif.xml")
    staff = label(
        "UNMARKED", ("In Confidence", TagKind.INFORMATIVE, {"STAFF", "LEGAL"}), policy="PUBLIC"
    )
    assert render_marking(public, staff) == "PUBLIC LEGAL, STAFFIn Confidence "


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (label("SECRET", policy="DEMO-GBR"), "label of policy 'DEMO-GBR'"),
        (label("ULTRA"), "unknown classification 'ULTRA'"),
        (label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"XYZ"})), "unknown value 'XYZ'"),
    ],
)
def test_unmarkable_labels_are_refused(nato: Policy, bad: object, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        render_marking(nato, bad)  # type: ignore[arg-type]
