"""Labels, clearances and decisions in the STANAG 4774 / XML-SPIF model, as frozen values."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


class TagKind(StrEnum):
    """How a category takes part in the access decision (the 4774 Category Type)."""

    RESTRICTIVE = "RESTRICTIVE"  # every value must be held
    PERMISSIVE = "PERMISSIVE"  # at least one value must be held
    INFORMATIVE = "INFORMATIVE"  # never decides access


EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class LabelCategory:
    """The values a label carries from one tag set, e.g. Releasable To = {FRA, GBR}."""

    tag_set: str
    kind: TagKind
    values: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TagKind(self.kind))
        object.__setattr__(self, "values", frozenset(self.values))


@dataclass(frozen=True, slots=True)
class Originator:
    """Who created a label (4774 OriginatorID), e.g. IDType "rfc822Name"."""

    id_type: str
    value: str


def _normalise_categories(categories: Iterable[LabelCategory]) -> tuple[LabelCategory, ...]:
    # One entry per (tag set, kind), sorted, so that equal meanings compare and hash equal.
    merged: dict[tuple[str, TagKind], frozenset[str]] = {}
    for category in categories:
        key = (category.tag_set, category.kind)
        merged[key] = merged.get(key, EMPTY) | category.values
    return tuple(
        LabelCategory(tag_set, kind, values)
        for (tag_set, kind), values in sorted(merged.items())
        # An empty permissive set releases to no one, which means something; other empties do not.
        if values or kind is TagKind.PERMISSIVE
    )


@dataclass(frozen=True, slots=True)
class Label:
    """A confidentiality label. Categories are normalised on construction.

    `policy` is the policy as the label names it (a SPIF name such as "NATO", or "urn:oid:...");
    `canonicalize` replaces it with the SPIF's own name. The creation and review times and the
    originator describe the label's history, not its meaning, and are left out of its hash.
    """

    policy: str
    classification: str
    categories: tuple[LabelCategory, ...] = ()
    privacy_mark: str | None = None
    creation_datetime: datetime | None = None
    originator: Originator | None = None
    review_datetime: datetime | None = None
    # Derived once, so that the access decision does no grouping of its own.
    restrictive: tuple[tuple[str, frozenset[str]], ...] = field(
        init=False, repr=False, compare=False
    )
    permissive: tuple[tuple[str, frozenset[str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        categories = _normalise_categories(self.categories)
        object.__setattr__(self, "categories", categories)
        for name, kind in (
            ("restrictive", TagKind.RESTRICTIVE),
            ("permissive", TagKind.PERMISSIVE),
        ):
            grouped = tuple((c.tag_set, c.values) for c in categories if c.kind is kind)
            object.__setattr__(self, name, grouped)

    def category(self, tag_set: str, kind: TagKind) -> frozenset[str] | None:
        """The values carried from `tag_set` as `kind`, or None when the label has none."""
        for category in self.categories:
            if category.tag_set == tag_set and category.kind is kind:
                return category.values
        return None


@dataclass(frozen=True, slots=True)
class Clearance:
    """What a reader holds: classifications and, per tag set, category values."""

    policy: str
    classifications: frozenset[str]
    categories: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "classifications", frozenset(self.classifications))
        held = {name: frozenset(values) for name, values in sorted(self.categories.items())}
        object.__setattr__(
            self, "categories", MappingProxyType({k: v for k, v in held.items() if v})
        )

    def __hash__(self) -> int:
        return hash((self.policy, self.classifications, frozenset(self.categories.items())))


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of an access decision, with the reason to record."""

    granted: bool
    reason: str

    def __bool__(self) -> bool:
        return self.granted
