"""NATO rank codes (STANAG 2116), so that ranks compare across nations.

National titles differ (a French "commandant" is a British major); the code is what posts
require and what candidates are ranked by. National titles are stored per person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

_VALID_FORMS = "OR-1 to OR-9, WO-1 to WO-5, OF(D), or OF-1 to OF-10"
_NUMBERED = re.compile(r"(OR|WO|OF)-?(10|[1-9])")
_DESIGNATE = "OF(D)"


class RankCategory(IntEnum):
    """Other ranks, warrant officers, officers: in this order of seniority."""

    OR = 0
    WO = 1
    OF = 2


# Grade 0 stands for OF(D), the officer designate, ranked just below OF-1.
_GRADES = {RankCategory.OR: range(1, 10), RankCategory.WO: range(1, 6), RankCategory.OF: range(11)}


@dataclass(frozen=True, slots=True, order=True)
class RankCode:
    """A STANAG 2116 code. Ordered by seniority: OR-9 < WO-1 < OF(D) < OF-1."""

    category: RankCategory
    grade: int

    def __post_init__(self) -> None:
        if self.grade not in _GRADES[self.category]:
            raise ValueError(f"no rank {self.category.name}-{self.grade}: expected {_VALID_FORMS}")

    @classmethod
    def parse(cls, text: str) -> RankCode:
        """Accept "OF-4", "of-4" or "OF4"; refuse anything else, naming it."""
        upper = text.strip().upper()
        if upper == _DESIGNATE:
            return cls(RankCategory.OF, 0)
        match = _NUMBERED.fullmatch(upper)
        if match is not None:
            category, grade = RankCategory[match[1]], int(match[2])
            if grade in _GRADES[category]:
                return cls(category, grade)
        raise ValueError(f"unknown rank code {text!r}: expected {_VALID_FORMS}")

    @property
    def generic_title(self) -> str:
        """An English title for display beside the code, army / navy."""
        return _GENERIC_TITLES[str(self)]

    def __str__(self) -> str:
        if self.category is RankCategory.OF and self.grade == 0:
            return _DESIGNATE
        return f"{self.category.name}-{self.grade}"


# Army / navy titles in English. Officers in British usage; other ranks and warrant officers in
# US usage (US Army / US Navy), whose pay grades map one-to-one onto these codes in STANAG 2116.
_GENERIC_TITLES = {
    "OR-1": "Private / Seaman Recruit",
    "OR-2": "Private / Seaman Apprentice",
    "OR-3": "Private First Class / Seaman",
    "OR-4": "Corporal / Petty Officer Third Class",
    "OR-5": "Sergeant / Petty Officer Second Class",
    "OR-6": "Staff Sergeant / Petty Officer First Class",
    "OR-7": "Sergeant First Class / Chief Petty Officer",
    "OR-8": "Master Sergeant / Senior Chief Petty Officer",
    "OR-9": "Sergeant Major / Master Chief Petty Officer",
    "WO-1": "Warrant Officer 1",
    "WO-2": "Chief Warrant Officer 2",
    "WO-3": "Chief Warrant Officer 3",
    "WO-4": "Chief Warrant Officer 4",
    "WO-5": "Chief Warrant Officer 5",
    "OF(D)": "Officer Cadet / Midshipman",
    "OF-1": "Lieutenant / Sub-Lieutenant",
    "OF-2": "Captain / Lieutenant",
    "OF-3": "Major / Lieutenant Commander",
    "OF-4": "Lieutenant Colonel / Commander",
    "OF-5": "Colonel / Captain",
    "OF-6": "Brigadier / Commodore",
    "OF-7": "Major General / Rear Admiral",
    "OF-8": "Lieutenant General / Vice Admiral",
    "OF-9": "General / Admiral",
    "OF-10": "Field Marshal / Admiral of the Fleet",
}

RANK_CODES = tuple(
    RankCode(category, grade) for category in RankCategory for grade in _GRADES[category]
)
"""Every code, most junior first."""


@dataclass(frozen=True, slots=True)
class RankRange:
    """The ranks a post accepts, both ends included."""

    lowest: RankCode
    highest: RankCode

    def __post_init__(self) -> None:
        if self.lowest > self.highest:
            raise ValueError(f"rank range {self.lowest} to {self.highest} is upside down")

    def contains(self, rank: RankCode) -> bool:
        return self.lowest <= rank <= self.highest

    def __str__(self) -> str:
        return (
            str(self.lowest) if self.lowest == self.highest else f"{self.lowest} to {self.highest}"
        )
