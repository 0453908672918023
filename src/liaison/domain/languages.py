"""Languages (ISO 639) and STANAG 6001 Standardized Language Profiles.

An SLP grades listening, speaking, reading and writing, in that order, from 0 to 5, with "plus"
levels 0+ to 4+ for a skill that exceeds its base level without meeting the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

SKILLS = ("listening", "speaking", "reading", "writing")
_LEVEL = re.compile(r"[0-5]\+?")
_COMPACT = re.compile(r"(?:[0-5]\+?){4}")


@dataclass(frozen=True, slots=True, order=True)
class Level:
    """One skill's level. Ordered so that 3 < 3+ < 4."""

    base: int
    plus: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.base <= 5 or (self.base == 5 and self.plus):
            raise ValueError(f"no STANAG 6001 level {self}: expected 0 to 5, or 0+ to 4+")

    @classmethod
    def parse(cls, text: str) -> Level:
        if not _LEVEL.fullmatch(text):
            raise ValueError(f"no STANAG 6001 level {text!r}: expected 0 to 5, or 0+ to 4+")
        return cls(int(text[0]), text.endswith("+"))

    def __str__(self) -> str:
        return f"{self.base}{'+' if self.plus else ''}"


@dataclass(frozen=True, slots=True)
class LanguageProfile:
    """A Standardized Language Profile, such as 3+332 (also written 3+/3/3/2)."""

    listening: Level
    speaking: Level
    reading: Level
    writing: Level

    @classmethod
    def parse(cls, text: str) -> LanguageProfile:
        """Read the compact form ("3+332") or the slashed one ("3+/3/3/2")."""
        stripped = text.strip()
        if "/" in stripped:
            parts = [part.strip() for part in stripped.split("/")]
        elif _COMPACT.fullmatch(stripped):
            parts = _LEVEL.findall(stripped)
        else:
            parts = []
        if len(parts) != len(SKILLS) or not all(_LEVEL.fullmatch(part) for part in parts):
            raise ValueError(
                f"not a STANAG 6001 profile {text!r}: expected four levels (listening, speaking, "
                "reading, writing) of 0 to 5 or 0+ to 4+, as 3332, 3+332 or 3+/3/3/2"
            )
        try:
            return cls(*(Level.parse(part) for part in parts))
        except ValueError as error:
            raise ValueError(f"not a STANAG 6001 profile {text!r}: {error}") from None

    @property
    def levels(self) -> tuple[Level, Level, Level, Level]:
        return (self.listening, self.speaking, self.reading, self.writing)

    @property
    def compact(self) -> str:
        return "".join(str(level) for level in self.levels)

    @property
    def slashed(self) -> str:
        return "/".join(str(level) for level in self.levels)

    def shortfalls(self, minimum: LanguageProfile) -> tuple[str, ...]:
        """The skills below `minimum`, named, so a refusal or a ranking can give its reasons."""
        return tuple(
            skill
            for skill, held, required in zip(SKILLS, self.levels, minimum.levels, strict=True)
            if held < required
        )

    def meets(self, minimum: LanguageProfile) -> bool:
        return not self.shortfalls(minimum)

    def __str__(self) -> str:
        return self.compact


def normalize_language(code: str) -> str:
    """The ISO 639-3 alpha-3 code of a language given by its alpha-2 or alpha-3 code.

    Bibliographic codes (ISO 639-2/B, such as "fre" or "ger") are accepted too, and stored as
    their terminological equivalents ("fra", "deu"), so each language has one code.
    """
    return _language(code).alpha_3


def language_name(code: str) -> str:
    """The English name of a language, e.g. "French" for "fra"."""
    return _language(code).name


def _language(code: str) -> pycountry.db.Data:
    lower = code.strip().lower()
    found: pycountry.db.Data | None = None
    if len(lower) == 2:
        found = pycountry.languages.get(alpha_2=lower)
    elif len(lower) == 3:
        found = pycountry.languages.get(alpha_3=lower) or pycountry.languages.get(
            bibliographic=lower
        )
    if found is None:
        raise ValueError(f"unknown language code {code!r}: expected ISO 639, e.g. fr or fra")
    return found
