"""A person's national clearance as the node's NATO clearance: levels through the SPIF
equivalences, releasability from nationality and communities, special categories, expiry."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.clearances import (
    NationalClearance,
    check_national,
    derive_clearance,
)
from liaison.domain.nations import COMMUNITIES, Community
from liaison.security import (
    Clearance,
    Label,
    LabelCategory,
    TagKind,
    builtin_registry,
    load_policy,
)

REGISTRY = builtin_registry()
PUBLIC_SPIF = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/security-policy/public-policy-v1.spif.xml"
)
TODAY = date(2026, 11, 24)
RELEASABLE = "Releasable To"
SCD = "Special Category Designators"
NATO_LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
DEMO_LEVELS = ["OFFICIAL", "SECRET", "TOP SECRET"]


def national(
    level: str,
    *special: str,
    policy: str = "DEMO-GBR",
    issued: date | None = None,
    expires: date | None = None,
) -> NationalClearance:
    return NationalClearance(policy, level, frozenset(special), issued, expires)


def derived(
    nation: str, clearance: NationalClearance | None, communities: list[Community] | None = None
) -> Clearance | None:
    """The derived clearance today; with the built-in communities unless others are given."""
    return derive_clearance(
        nation,
        clearance,
        today=TODAY,
        registry=REGISTRY,
        communities=COMMUNITIES if communities is None else communities,
    ).clearance


def readable(clearance: Clearance | None, label: Label) -> bool:
    return clearance is not None and REGISTRY.decide(label, clearance).granted


# --- levels through the equivalences ----------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "held"),
    [
        ("OFFICIAL", {"UNCLASSIFIED", "RESTRICTED"}),
        ("SECRET", {"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}),
        ("TOP SECRET", set(NATO_LEVELS)),
    ],
)
def test_a_demo_gbr_level_clears_every_nato_level_at_or_below_its_equivalent(
    level: str, held: set[str]
) -> None:
    clearance = derived("GBR", national(level))
    assert clearance is not None
    assert clearance.policy == "NATO"
    assert clearance.classifications == held


def test_a_clearance_granted_under_nato_itself_needs_no_translation() -> None:
    clearance = derived("FRA", national("CONFIDENTIAL", "CRYPTO", policy="NATO"))
    assert clearance is not None
    assert clearance.classifications == {"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL"}
    assert clearance.categories[SCD] == {"CRYPTO"}


def test_a_level_without_an_equivalent_gives_no_clearance_and_says_why() -> None:
    registry = builtin_registry()
    registry.add(load_policy(PUBLIC_SPIF))  # a policy that declares no NATO equivalence
    outcome = derive_clearance(
        "GBR", national("UNMARKED", policy="PUBLIC"), today=TODAY, registry=registry
    )
    assert outcome.clearance is None
    assert "PUBLIC UNMARKED has no equivalent" in outcome.notes[0]


def test_an_unknown_policy_or_level_gives_no_clearance() -> None:
    unknown_policy = derive_clearance(
        "GBR", national("SECRET", policy="MARS"), today=TODAY, registry=REGISTRY
    )
    assert unknown_policy.clearance is None
    assert unknown_policy.notes == ("policy 'MARS' is unknown to this node",)
    unknown_level = derive_clearance("GBR", national("ULTRA"), today=TODAY, registry=REGISTRY)
    assert unknown_level.clearance is None
    assert "no level 'ULTRA'" in unknown_level.notes[0]


def test_no_clearance_recorded_is_no_clearance() -> None:
    outcome = derive_clearance("GBR", None, today=TODAY, registry=REGISTRY)
    assert (outcome.clearance, outcome.notes) == (None, ("no clearance recorded",))


# --- releasability from nationality and communities -------------------------------------------


@pytest.mark.parametrize(
    ("nation", "values"),
    [
        ("GBR", {"GBR", "NATO"}),  # NATO, not EU
        ("SWE", {"SWE", "NATO", "EU"}),  # both
        ("AUT", {"EU"}),  # EU only, and not a value of the NATO policy itself
        ("UKR", set()),  # a partner: neither community, nor a NATO value
    ],
)
def test_releasable_to_is_the_nation_and_its_communities_that_the_policy_knows(
    nation: str, values: set[str]
) -> None:
    clearance = derived(nation, national("SECRET"))
    assert clearance is not None
    assert set(clearance.categories.get(RELEASABLE, frozenset())) == values


def test_a_mission_community_is_held_by_its_member_nations_only() -> None:
    kfor = Community("KFOR", frozenset({"GBR", "DEU"}))
    british = derived("GBR", national("SECRET"), communities=[kfor])
    french = derived("FRA", national("SECRET"), communities=[kfor])
    assert british is not None
    assert french is not None
    assert british.categories[RELEASABLE] == {"GBR", "KFOR"}
    assert french.categories[RELEASABLE] == {"FRA"}
    kfor_label = Label(
        "NATO", "SECRET", (LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset({"KFOR"})),)
    )
    assert readable(british, kfor_label)
    assert not readable(french, kfor_label)


def test_the_derived_clearance_decides_like_any_other() -> None:
    clearance = derived("GBR", national("SECRET"))
    release = LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset({"NATO"}))
    french_eyes = LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset({"FRA"}))
    assert readable(clearance, Label("NATO", "SECRET", (release,)))
    assert not readable(clearance, Label("NATO", "SECRET", (french_eyes,)))
    assert not readable(clearance, Label("NATO", "TOP SECRET", (release,)))


# --- special categories -----------------------------------------------------------------------


def test_special_categories_are_carried_across_or_left_out_with_a_note() -> None:
    outcome = derive_clearance(
        "GBR", national("SECRET", "ATOMAL", "SENSITIVE", "EXAMPLE"), today=TODAY, registry=REGISTRY
    )
    assert outcome.clearance is not None
    assert outcome.clearance.categories[SCD] == {"ATOMAL"}
    assert outcome.notes == (
        "special category EXAMPLE left out: 'EXAMPLE' in 'Caveats' has no equivalent in NATO",
        "special category SENSITIVE has no counterpart in NATO",  # discarded by its equivalence
    )
    atomal = LabelCategory(SCD, TagKind.RESTRICTIVE, frozenset({"ATOMAL"}))
    assert readable(outcome.clearance, Label("NATO", "SECRET", (atomal,)))
    assert not readable(derived("GBR", national("SECRET")), Label("NATO", "SECRET", (atomal,)))


def test_a_category_the_level_cannot_carry_is_left_out() -> None:
    outcome = derive_clearance(
        "GBR", national("OFFICIAL", "ATOMAL"), today=TODAY, registry=REGISTRY
    )
    assert outcome.clearance is not None
    assert SCD not in outcome.clearance.categories
    assert "cannot accompany any level" in outcome.notes[0]


# --- validity dates ---------------------------------------------------------------------------


def test_an_expired_clearance_is_no_clearance() -> None:
    yesterday = TODAY - timedelta(days=1)
    outcome = derive_clearance(
        "GBR", national("SECRET", expires=yesterday), today=TODAY, registry=REGISTRY
    )
    assert outcome.clearance is None
    assert outcome.notes == (f"clearance expired on {yesterday.isoformat()}",)


def test_a_clearance_holds_through_its_expiry_date_and_from_its_issue_date() -> None:
    assert derived("GBR", national("SECRET", issued=TODAY, expires=TODAY)) is not None


def test_a_clearance_not_yet_issued_is_no_clearance() -> None:
    tomorrow = TODAY + timedelta(days=1)
    outcome = derive_clearance(
        "GBR", national("SECRET", issued=tomorrow), today=TODAY, registry=REGISTRY
    )
    assert outcome.clearance is None
    assert outcome.notes == (f"clearance valid from {tomorrow.isoformat()}",)


@given(
    level=st.sampled_from(DEMO_LEVELS),
    expires=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
)
def test_a_clearance_is_held_exactly_until_it_expires(
    level: str, expires: date, today: date
) -> None:
    outcome = derive_clearance(
        "GBR", national(level, expires=expires), today=today, registry=REGISTRY
    )
    assert (outcome.clearance is not None) == (today <= expires)


@given(lower=st.sampled_from(DEMO_LEVELS), higher=st.sampled_from(DEMO_LEVELS))
def test_derived_levels_are_downward_closed_and_grow_with_the_national_level(
    lower: str, higher: str
) -> None:
    if DEMO_LEVELS.index(lower) > DEMO_LEVELS.index(higher):
        lower, higher = higher, lower
    low, high = derived("DEU", national(lower)), derived("DEU", national(higher))
    assert low is not None
    assert high is not None
    assert low.classifications <= high.classifications
    top = max(NATO_LEVELS.index(name) for name in low.classifications)
    assert low.classifications == set(NATO_LEVELS[: top + 1])


# --- checking what a security officer records -------------------------------------------------


def test_check_national_gives_the_spif_names() -> None:
    assert check_national(REGISTRY, "DEMO-GBR", " SECRET ", ["ATOMAL", "ATOMAL"]) == (
        "DEMO-GBR",
        "SECRET",
        ("ATOMAL",),
    )
    assert check_national(REGISTRY, "1.3.26.1.3.1", "COSMIC TOP SECRET", []) == (
        "NATO",
        "TOP SECRET",
        (),
    )


@pytest.mark.parametrize(
    ("policy", "level", "special", "message"),
    [
        ("MARS", "SECRET", [], "unknown policy 'MARS'"),
        (
            "DEMO-GBR",
            "COSMIC TOP SECRET",
            [],
            "policy DEMO-GBR has no level 'COSMIC TOP SECRET' "
            "(it knows OFFICIAL, SECRET, TOP SECRET)",
        ),
        ("DEMO-GBR", "SECRET", ["BOHEMIA"], "policy DEMO-GBR has no special category 'BOHEMIA'"),
        ("NATO", "SECRET", ["GBR"], "policy NATO has no special category 'GBR'"),
    ],
)
def test_check_national_names_what_the_policy_does_not_know(
    policy: str, level: str, special: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        check_national(REGISTRY, policy, level, special)
