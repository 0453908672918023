"""Nations, the communities a policy releases to, and the releasability values people hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain import accounts
from liaison.domain.nations import (
    COMMUNITIES,
    EU,
    NATO,
    RELEASABLE_TO,
    Community,
    nation_name,
    normalize_nation,
    policy_communities,
    releasability_values,
)
from liaison.security import Policy, TagKind, builtin_registry


@pytest.fixture(scope="module")
def nato_policy() -> Policy:
    return builtin_registry().require("NATO")


@pytest.fixture(scope="module")
def national_policy() -> Policy:
    return builtin_registry().require("DEMO-GBR")


# --- nations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"), [("GBR", "GBR"), ("fra", "FRA"), (" usa ", "USA"), ("Mkd", "MKD")]
)
def test_nation_codes_are_iso_3166_alpha3(code: str, expected: str) -> None:
    assert normalize_nation(code) == expected


@pytest.mark.parametrize("bad", ["", "XXX", "GB", "UK", "GBRT", "123", "826", "NATO", "EU", "KFOR"])
def test_unknown_nation_codes_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown nation code") as refused:
        normalize_nation(bad)
    assert repr(bad) in str(refused.value)
    assert "ISO 3166 alpha-3" in str(refused.value)


def test_accounts_uses_the_same_nation_rule() -> None:
    assert accounts.normalize_nation is normalize_nation


@pytest.mark.parametrize(
    ("code", "name"),
    [("GBR", "United Kingdom"), ("fra", "France"), ("MKD", "North Macedonia"), ("TUR", "Türkiye")],
)
def test_nations_have_english_names(code: str, name: str) -> None:
    assert nation_name(code) == name


def test_a_name_is_only_given_for_a_nation() -> None:
    with pytest.raises(ValueError, match="unknown nation code 'NATO'"):
        nation_name("NATO")


# --- communities in the policy -----------------------------------------------------------


def test_the_nato_policy_releases_to_these_communities(nato_policy: Policy) -> None:
    assert policy_communities(nato_policy) == {"NATO", "EU", "KFOR", "NMI", "EUFOR"}


def test_the_national_policy_releases_only_to_nato_beside_nations(national_policy: Policy) -> None:
    assert policy_communities(national_policy) == {"NATO"}


def test_a_policy_without_releasability_has_no_communities() -> None:
    bare = Policy(name="BARE", id="1.2.3", classifications=())
    assert policy_communities(bare) == frozenset()


def test_communities_are_read_from_the_permissive_releasable_to_tag_set(
    nato_policy: Policy,
) -> None:
    values = nato_policy.index.categories[(RELEASABLE_TO, TagKind.PERMISSIVE)]
    nations = set(values) - policy_communities(nato_policy)
    assert len(nations) == 32
    assert all(normalize_nation(nation) == nation for nation in nations)


# --- community membership ----------------------------------------------------------------


def test_nato_has_32_members_including_finland_and_sweden() -> None:
    assert len(NATO.members) == 32
    assert {"FIN", "SWE", "USA", "TUR", "MKD", "MNE"} <= NATO.members
    assert not {"AUT", "IRL", "CHE", "UKR"} & NATO.members


def test_the_eu_has_27_members_and_no_longer_the_united_kingdom() -> None:
    assert len(EU.members) == 27
    assert {"AUT", "CYP", "IRL", "MLT", "FIN", "SWE"} <= EU.members
    assert not {"GBR", "NOR", "TUR", "USA"} & EU.members


def test_nato_members_are_the_nations_the_nato_policy_releases_to(nato_policy: Policy) -> None:
    values = set(nato_policy.index.categories[(RELEASABLE_TO, TagKind.PERMISSIVE)])
    assert values - policy_communities(nato_policy) == NATO.members


def test_every_listed_community_is_one_the_nato_policy_knows(nato_policy: Policy) -> None:
    assert {community.name for community in COMMUNITIES} <= policy_communities(nato_policy)


def test_community_members_are_normalised_and_checked() -> None:
    assert Community("X", frozenset({"gbr", " fra"})).members == {"GBR", "FRA"}
    with pytest.raises(ValueError, match="unknown nation code 'XXX'"):
        Community("X", frozenset({"GBR", "XXX"}))


# --- releasability values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("nation", "expected"),
    [
        ("FRA", {"FRA", "NATO", "EU"}),
        ("fin", {"FIN", "NATO", "EU"}),
        ("GBR", {"GBR", "NATO"}),
        ("USA", {"USA", "NATO"}),
        ("AUT", {"AUT", "EU"}),
        ("CHE", {"CHE"}),
    ],
)
def test_a_person_holds_their_nation_and_its_communities(nation: str, expected: set[str]) -> None:
    assert releasability_values(nation, COMMUNITIES) == expected


def test_only_the_communities_given_are_considered() -> None:
    assert releasability_values("FRA", [NATO]) == {"FRA", "NATO"}
    assert releasability_values("FRA", []) == {"FRA"}
    kfor = Community("KFOR", frozenset({"FRA", "DEU"}))
    assert releasability_values("FRA", [*COMMUNITIES, kfor]) == {"FRA", "NATO", "EU", "KFOR"}


def test_releasability_for_an_unknown_nation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown nation code 'XYZ'"):
        releasability_values("XYZ", COMMUNITIES)


@given(st.sampled_from(sorted(NATO.members | EU.members | {"CHE", "UKR", "JPN"})))
def test_releasability_is_the_nation_plus_exactly_its_memberships(nation: str) -> None:
    held = releasability_values(nation, COMMUNITIES)
    assert nation in held
    assert ("NATO" in held) == (nation in NATO.members)
    assert ("EU" in held) == (nation in EU.members)
    assert len(held) == 1 + (nation in NATO.members) + (nation in EU.members)
