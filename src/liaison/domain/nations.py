"""Nations and the communities that releasability names beside them.

Nations are ISO 3166 alpha-3 codes, as the NATO SPIF writes them. A community (NATO, EU, a
mission such as KFOR) is a "Releasable To" value that is not a nation: information released to
it may be read by people of its member nations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pycountry

from liaison.security import Policy, TagKind

RELEASABLE_TO = "Releasable To"


def normalize_nation(code: str) -> str:
    """An ISO 3166 alpha-3 country code, as the NATO SPIF writes nations."""
    return _country(code).alpha_3


def nation_name(code: str) -> str:
    """The English short name of a nation, e.g. "United Kingdom" for GBR."""
    return _country(code).name


def _country(code: str) -> pycountry.db.Country:
    upper = code.strip().upper()
    country = pycountry.countries.get(alpha_3=upper) if len(upper) == 3 else None
    if country is None:
        raise ValueError(f"unknown nation code {code!r}: expected ISO 3166 alpha-3, e.g. GBR")
    return country


def _is_nation(value: str) -> bool:
    return len(value) == 3 and pycountry.countries.get(alpha_3=value) is not None


def policy_communities(policy: Policy) -> frozenset[str]:
    """The communities `policy` can release to: its "Releasable To" values that are not nations."""
    values = policy.index.categories.get((RELEASABLE_TO, TagKind.PERMISSIVE), {})
    return frozenset(name for name in values if not _is_nation(name))


@dataclass(frozen=True, slots=True)
class Community:
    """A community as releasability names it, and the nations whose people belong to it."""

    name: str
    members: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", frozenset(map(normalize_nation, self.members)))


def releasability_values(nation: str, communities: Iterable[Community]) -> frozenset[str]:
    """The "Releasable To" values a person holds: their nation and each community it is in."""
    code = normalize_nation(nation)
    return frozenset({code, *(c.name for c in communities if code in c.members)})


# Membership as of December 2024, from the organisations' own member lists (nato.int, "NATO
# member countries": 32 since Sweden joined on 7 March 2024; european-union.europa.eu, "EU
# countries": 27 since the United Kingdom left on 31 January 2020). Change it when they change.
# Missions (KFOR, EUFOR, NMI) are left out: their contributing nations change with each
# rotation, and no fixed list here would stay true.
# fmt: off
NATO = Community("NATO", frozenset({
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}))
EU = Community("EU", frozenset({
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}))
# fmt: on
COMMUNITIES = (NATO, EU)
