"""The XML-SPIF policy model, and the indexes the decision, validity and marking code look up."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from liaison.security.model import TagKind

Lacv = int | str
"""A label and certificate value: an integer in practice, a string where a SPIF says so."""


class MarkingCode(StrEnum):
    """Where, and how, a marking phrase is displayed (XML-SPIF markingCode)."""

    PAGE_TOP = "pageTop"
    PAGE_BOTTOM = "pageBottom"
    PAGE_TOP_BOTTOM = "pageTopBottom"
    DOCUMENT_START = "documentStart"
    DOCUMENT_END = "documentEnd"
    NO_NAME_DISPLAY = "noNameDisplay"
    NO_MARKING_DISPLAY = "noMarkingDisplay"
    SUPPRESS_CLASS_NAME = "suppressClassName"
    FIRST_LINE_OF_TEXT = "firstLineOfText"
    LAST_LINE_OF_TEXT = "lastLineOfText"
    SUBJECT = "subject"
    X_HEADER = "xHeader"
    PORTION_MARKING = "portionMarking"
    INPUT_TITLE = "inputTitle"
    WATER_MARK = "waterMark"
    REPLACE_POLICY = "replacePolicy"


class QualifierCode(StrEnum):
    PREFIX = "prefix"
    SUFFIX = "suffix"
    SEPARATOR = "separator"


class Operation(StrEnum):
    """How many members of a requiredCategory group a label must carry."""

    ONLY_ONE = "onlyOne"
    ONE_OR_MORE = "oneOrMore"
    ALL = "all"


class Applied(StrEnum):
    """Direction in which an equivalence applies: encrypt = outgoing, decrypt = incoming."""

    ENCRYPT = "encrypt"
    DECRYPT = "decrypt"
    BOTH = "both"

    def outgoing(self) -> bool:
        return self is not Applied.DECRYPT

    def incoming(self) -> bool:
        return self is not Applied.ENCRYPT


@dataclass(frozen=True, slots=True)
class MarkingPhrase:
    """One markingData element: a phrase (or none) for a language, with its codes."""

    phrase: str | None
    lang: str | None
    codes: frozenset[MarkingCode]


@dataclass(frozen=True, slots=True)
class Qualifier:
    """One qualifier of a markingQualifier block; `location` is the block's markingCode."""

    code: QualifierCode
    text: str
    lang: str | None
    location: MarkingCode | None


@dataclass(frozen=True, slots=True)
class Markings:
    phrases: tuple[MarkingPhrase, ...] = ()
    qualifiers: tuple[Qualifier, ...] = ()


NO_MARKINGS = Markings()


@dataclass(frozen=True, slots=True)
class CategoryRef:
    """A categoryGroup or excludedCategory entry: one value by lacv, or any value (lacv None)."""

    tag_set: str
    kind: TagKind
    lacv: Lacv | None


@dataclass(frozen=True, slots=True)
class CategoryGroup:
    """A requiredCategory element."""

    operation: Operation
    members: tuple[CategoryRef, ...]


@dataclass(frozen=True, slots=True)
class EquivalentClassification:
    policy_ref: str
    lacv: int
    applied: Applied
    required: tuple[CategoryGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class EquivalentCategory:
    """An equivalentSecCategoryTag: the same value in another policy, or `discard` it."""

    policy_ref: str
    tag_set_id: str
    kind: TagKind
    lacv: Lacv
    applied: Applied
    discard: bool = False


@dataclass(frozen=True, slots=True)
class EquivalentTagSet:
    """An equivalentSecurityCategoryTagSet: a tag set whose values keep their lacvs elsewhere."""

    policy_ref: str
    name: str | None
    id: str | None
    required: tuple[CategoryGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class EquivalentPolicy:
    name: str
    id: str
    required: tuple[CategoryGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class Classification:
    name: str
    lacv: int
    hierarchy: int
    markings: Markings = NO_MARKINGS
    color: str | None = None
    obsolete: bool = False
    required: tuple[CategoryGroup, ...] = ()
    equivalents: tuple[EquivalentClassification, ...] = ()


@dataclass(frozen=True, slots=True)
class TagCategory:
    """One value of a tag, e.g. GBR in Releasable To."""

    name: str
    lacv: Lacv
    markings: Markings = NO_MARKINGS
    obsolete: bool = False
    excluded_classes: frozenset[str] = frozenset()
    required_class: str | None = None
    required: tuple[CategoryGroup, ...] = ()
    excluded_categories: tuple[CategoryRef, ...] = ()
    equivalents: tuple[EquivalentCategory, ...] = ()
    user_input: str | None = None


@dataclass(frozen=True, slots=True)
class CategoryTag:
    """A securityCategoryTag. `tag_type` is the SPIF's own word; `kind` is what it means."""

    name: str
    tag_type: str
    kind: TagKind
    categories: tuple[TagCategory, ...]
    markings: Markings = NO_MARKINGS
    tag7_encoding: str | None = None
    max_selection: int | None = None
    min_selection: int | None = None


@dataclass(frozen=True, slots=True)
class TagSet:
    name: str
    id: str
    tags: tuple[CategoryTag, ...]
    equivalents: tuple[EquivalentTagSet, ...] = ()


class IndexedCategory(NamedTuple):
    category: TagCategory
    tag: CategoryTag
    tag_set: TagSet
    ordinal: int  # position in the SPIF, which is the order markings list values in


class PolicyIndex:
    """Lookups derived once from a Policy, so decisions are dictionary and set operations."""

    __slots__ = (
        "allowed",
        "by_lacv",
        "categories",
        "classes_by_lacv",
        "classes_by_name",
        "constrained",
        "identifiers",
        "kinds_by_tag_set",
        "rules_by_class",
        "tag_sets_by_id",
        "tag_sets_by_name",
    )

    def __init__(self, policy: "Policy") -> None:
        self.identifiers = frozenset({policy.name, policy.id, f"urn:oid:{policy.id}"})
        self.classes_by_name = {c.name: c for c in policy.classifications}
        self.classes_by_lacv = {c.lacv: c for c in policy.classifications}
        self.tag_sets_by_name = {t.name: t for t in policy.tag_sets}
        self.tag_sets_by_id = {t.id: t for t in policy.tag_sets}
        self.categories: dict[tuple[str, TagKind], dict[str, IndexedCategory]] = {}
        self.by_lacv: dict[tuple[str, TagKind], dict[Lacv, IndexedCategory]] = {}
        self.kinds_by_tag_set: dict[str, set[TagKind]] = {}
        ambiguous: set[tuple[str, TagKind, Lacv]] = set()
        for entry in _walk(policy):
            key = (entry.tag_set.name, entry.tag.kind)
            self.kinds_by_tag_set.setdefault(entry.tag_set.name, set()).add(entry.tag.kind)
            self.categories.setdefault(key, {}).setdefault(entry.category.name, entry)
            by_lacv = self.by_lacv.setdefault(key, {})
            known = by_lacv.get(entry.category.lacv)
            if known is not None and known.category.name != entry.category.name:
                ambiguous.add((*key, entry.category.lacv))
            by_lacv.setdefault(entry.category.lacv, entry)
        # A lacv shared by two values (tolerated only when loading leniently) resolves to neither.
        for tag_set, kind, lacv in ambiguous:
            del self.by_lacv[(tag_set, kind)][lacv]
        # Values each classification may carry: a valid label's values are a subset of these.
        self.allowed = {
            c.name: {
                key: frozenset(
                    name for name, e in values.items() if c.name not in e.category.excluded_classes
                )
                for key, values in self.categories.items()
            }
            for c in policy.classifications
        }
        # Values (and classifications) with rules beyond exclusion are checked one by one.
        self.constrained = {
            key: frozenset(name for name, e in values.items() if _has_rules(e))
            for key, values in self.categories.items()
        }
        self.rules_by_class = frozenset(c.name for c in policy.classifications if c.required)

    def category(self, tag_set: str, kind: TagKind, name: str) -> IndexedCategory | None:
        return self.categories.get((tag_set, kind), {}).get(name)

    def category_by_lacv(self, tag_set: str, kind: TagKind, lacv: Lacv) -> IndexedCategory | None:
        return self.by_lacv.get((tag_set, kind), {}).get(lacv)


def _has_rules(entry: IndexedCategory) -> bool:
    tag = entry.tag
    category = entry.category
    return bool(
        category.required
        or category.excluded_categories
        or category.required_class
        or tag.max_selection is not None
        or tag.min_selection is not None
    )


def _walk(policy: "Policy") -> Iterator[IndexedCategory]:
    ordinal = 0
    for tag_set in policy.tag_sets:
        for tag in tag_set.tags:
            for category in tag.categories:
                yield IndexedCategory(category, tag, tag_set, ordinal)
                ordinal += 1


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Policy:
    """A security policy as its SPIF defines it. Compared by identity: a loaded policy is one.

    `markings` are the securityPolicyId's own (how the policy name is shown); `qualifiers` are
    the SPIF-wide markingQualifier (prefix, suffix and separator of a whole marking). `defects`
    lists what a lenient load tolerated.
    """

    name: str
    id: str
    classifications: tuple[Classification, ...]
    tag_sets: tuple[TagSet, ...] = ()
    equivalent_policies: tuple[EquivalentPolicy, ...] = ()
    markings: Markings = NO_MARKINGS
    qualifiers: tuple[Qualifier, ...] = ()
    version: str | None = None
    defects: tuple[str, ...] = ()
    index: PolicyIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", PolicyIndex(self))

    def __repr__(self) -> str:
        return f"Policy(name={self.name!r}, id={self.id!r}, version={self.version!r})"

    def identifies(self, identifier: str) -> bool:
        """Whether `identifier` (a name, an OID or "urn:oid:...") names this policy."""
        return identifier in self.index.identifiers

    def equivalent_policy(self, other: "Policy") -> EquivalentPolicy | None:
        """This SPIF's declaration of `other` as an equivalent policy, if any."""
        return next((p for p in self.equivalent_policies if p.id == other.id), None)
