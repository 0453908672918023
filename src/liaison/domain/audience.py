"""Audiences: who a distribution list or a channel's membership names.

A nation, a community (a "Releasable To" value that is not a nation, e.g. NATO), an office or a
person; a user is in an audience through their nation, its communities, their office or their
person record.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from liaison.domain.nations import normalize_nation


class AudienceKind(StrEnum):
    NATION = "nation"
    COMMUNITY = "community"
    OFFICE = "office"
    PERSON = "person"


_COMMUNITY = re.compile(r"^[A-Z][A-Z0-9 _-]{1,63}$")


@dataclass(frozen=True, slots=True, order=True)
class Audience:
    """One entry of a distribution list: a nation, a community, an office or a person."""

    kind: AudienceKind
    value: str

    @classmethod
    def parse(cls, kind: str, value: str) -> Audience:
        try:
            audience_kind = AudienceKind(kind)
        except ValueError:
            known = ", ".join(k.value for k in AudienceKind)
            raise ValueError(
                f"unknown distribution kind {kind!r}: expected one of {known}"
            ) from None
        if audience_kind is AudienceKind.NATION:
            return cls(audience_kind, normalize_nation(value))
        if audience_kind is AudienceKind.COMMUNITY:
            name = value.strip().upper()
            if not _COMMUNITY.fullmatch(name):
                raise ValueError(f"{value!r} is not a community name")
            return cls(audience_kind, name)
        try:
            return cls(audience_kind, str(uuid.UUID(value)))
        except ValueError:
            raise ValueError(f"{kind} must be given by its id, not {value!r}") from None

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
