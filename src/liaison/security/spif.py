"""Reading XML-SPIF 2.1 policy files into `Policy` values, refusing broken ones.

A SPIF is refused (PolicyError naming the fault) when it repeats a classification's name or lacv,
a hierarchy, a tag set's name or id, an equivalent policy, an excluded classification within a
category, or a tag category's name or lacv within one tag set and kind; or when a reference
(excludedClass, requiredClass, requiredCategory, excludedCategory, policyRef) points at nothing.

The published NATO SPIF (v88) repeats tag categories inside "Releasable To" and "Context". It can
be read with `strict=False`, which tolerates exactly that: the first definition of a name wins,
a lacv shared by two names resolves to neither, and each tolerated fault is kept in
`Policy.defects`. Every other fault is refused whatever `strict` says.
"""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from xml.etree.ElementTree import Element

from liaison.security.errors import PolicyError
from liaison.security.model import TagKind
from liaison.security.policy import (
    Applied,
    CategoryGroup,
    CategoryRef,
    CategoryTag,
    Classification,
    EquivalentCategory,
    EquivalentClassification,
    EquivalentPolicy,
    EquivalentTagSet,
    Lacv,
    MarkingCode,
    MarkingPhrase,
    Markings,
    Operation,
    Policy,
    Qualifier,
    QualifierCode,
    TagCategory,
    TagSet,
)
from liaison.security.safexml import XML_LANG, parse_untrusted

MAX_POLICY_BYTES = 4 * 1024 * 1024
MAX_POLICY_DEPTH = 64
SPIF_NAMESPACE = "http://www.xmlspif.org/spif"

_NS = f"{{{SPIF_NAMESPACE}}}"


def load_policy(source: Path | bytes, *, strict: bool = True) -> Policy:
    """Read a SPIF from a file or from bytes."""
    if isinstance(source, Path):
        try:
            with source.open("rb") as file:
                data = file.read(MAX_POLICY_BYTES + 1)
        except OSError as exc:
            raise PolicyError(f"cannot read policy file {source}: {exc.strerror}") from None
        what = f"policy file {source.name}"
    else:
        data, what = source, "policy"
    root = parse_untrusted(
        data, what=what, max_bytes=MAX_POLICY_BYTES, max_depth=MAX_POLICY_DEPTH, error=PolicyError
    )
    return _SpifReader(strict).read(root)


def parse_lacv(text: str) -> Lacv:
    """A lacv as an integer when it is written as one ("004" is 4), else as the string."""
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else stripped


def kind_of(tag_type: str, enum_type: str | None, where: str) -> TagKind:
    """The access meaning of a SPIF tagType (and enumType, for enumerated tags)."""
    if tag_type == "enumerated":
        if enum_type not in ("restrictive", "permissive"):
            raise PolicyError(f"{where}: enumerated tag without enumType restrictive or permissive")
        tag_type = enum_type
    kinds = {
        "restrictive": TagKind.RESTRICTIVE,
        "permissive": TagKind.PERMISSIVE,
        "tagType7": TagKind.INFORMATIVE,
    }
    if tag_type not in kinds:
        raise PolicyError(f"{where}: unsupported tagType {tag_type!r}")
    return kinds[tag_type]


def _children(element: Element, name: str) -> list[Element]:
    return element.findall(_NS + name)


def _required(element: Element, attribute: str, where: str) -> str:
    value = element.get(attribute)
    if value is None or not value.strip():
        raise PolicyError(f"{where}: missing attribute {attribute!r}")
    return value


def _integer(element: Element, attribute: str, where: str) -> int:
    text = _required(element, attribute, where)
    try:
        return int(text)
    except ValueError:
        raise PolicyError(f"{where}: {attribute} {text!r} is not an integer") from None


def _boolean(element: Element, attribute: str) -> bool:
    return element.get(attribute, "false").strip() in ("true", "1")


def _selection(element: Element, attribute: str, where: str) -> int | None:
    text = element.get(attribute, "unbounded").strip()
    if text == "unbounded":
        return None
    return _integer(element, attribute, where)


def _markings(element: Element, where: str) -> Markings:
    phrases = []
    for data in _children(element, "markingData"):
        codes = frozenset(_marking_code(code.text or "", where) for code in _children(data, "code"))
        phrases.append(MarkingPhrase(data.get("phrase"), data.get(XML_LANG), codes))
    qualifiers = []
    for block in _children(element, "markingQualifier"):
        location_text = block.get("markingCode")
        location = _marking_code(location_text, where) if location_text else None
        for qualifier in _children(block, "qualifier"):
            code_text = _required(qualifier, "qualifierCode", where)
            try:
                code = QualifierCode(code_text)
            except ValueError:
                raise PolicyError(f"{where}: unknown qualifierCode {code_text!r}") from None
            text = qualifier.get("markingQualifier")
            if text is None:
                raise PolicyError(f"{where}: qualifier without markingQualifier")
            qualifiers.append(Qualifier(code, text, qualifier.get(XML_LANG), location))
    return Markings(tuple(phrases), tuple(qualifiers))


def _marking_code(text: str, where: str) -> MarkingCode:
    try:
        return MarkingCode(text.strip())
    except ValueError:
        raise PolicyError(f"{where}: unknown marking code {text.strip()!r}") from None


def _applied(element: Element, where: str) -> Applied:
    text = _required(element, "applied", where)
    try:
        return Applied(text)
    except ValueError:
        raise PolicyError(f"{where}: unknown applied value {text!r}") from None


def _category_ref(element: Element, where: str) -> CategoryRef:
    tag_set = _required(element, "tagSetRef", where)
    kind = kind_of(_required(element, "tagType", where), element.get("enumType"), where)
    lacv_text = element.get("lacv")
    every = _boolean(element, "all")
    if (lacv_text is None) == (not every):
        raise PolicyError(f"{where}: a category reference needs exactly one of lacv and all")
    return CategoryRef(tag_set, kind, None if lacv_text is None else parse_lacv(lacv_text))


def _groups(element: Element, where: str) -> tuple[CategoryGroup, ...]:
    groups = []
    for required in _children(element, "requiredCategory"):
        text = _required(required, "operation", where)
        try:
            operation = Operation(text)
        except ValueError:
            raise PolicyError(f"{where}: unknown requiredCategory operation {text!r}") from None
        members = tuple(_category_ref(m, where) for m in _children(required, "categoryGroup"))
        if not members:
            raise PolicyError(f"{where}: requiredCategory without categoryGroup")
        groups.append(CategoryGroup(operation, members))
    return tuple(groups)


def _fixups(element: Element, where: str) -> tuple[CategoryGroup, ...]:
    # Categories an equivalence adds to the translated label must each be one definite value.
    groups = _groups(element, where)
    if any(member.lacv is None for group in groups for member in group.members):
        raise PolicyError(f"{where}: a requiredCategory of an equivalence must name a lacv")
    return groups


def _references(groups: tuple[CategoryGroup, ...]) -> Iterator[CategoryRef]:
    for group in groups:
        yield from group.members


class _SpifReader:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.defects: list[str] = []

    def tolerate(self, fault: str) -> None:
        if self.strict:
            raise PolicyError(fault)
        self.defects.append(fault)

    def read(self, root: Element) -> Policy:
        if root.tag != _NS + "SPIF":
            raise PolicyError(f"not an XML-SPIF: the root element is {root.tag!r}")
        policy_ids = _children(root, "securityPolicyId")
        if len(policy_ids) != 1:
            raise PolicyError("a SPIF needs exactly one securityPolicyId")
        policy_id = policy_ids[0]
        name = _required(policy_id, "name", "securityPolicyId")
        oid = _required(policy_id, "id", "securityPolicyId")
        equivalents = self.equivalent_policies(root)
        classifications = self.classifications(root)
        tag_sets = tuple(
            self.tag_set(element)
            for container in _children(root, "securityCategoryTagSets")
            for element in _children(container, "securityCategoryTagSet")
        )
        policy = Policy(
            name=name,
            id=oid,
            classifications=classifications,
            tag_sets=tag_sets,
            equivalent_policies=equivalents,
            markings=_markings(policy_id, "securityPolicyId"),
            qualifiers=_markings(root, "SPIF").qualifiers,
            version=root.get("version"),
            defects=tuple(self.defects),
        )
        _check_unique((t.name, "tag set name") for t in tag_sets)
        _check_unique((t.id, "tag set id") for t in tag_sets)
        _check_references(policy)
        return policy

    def equivalent_policies(self, root: Element) -> tuple[EquivalentPolicy, ...]:
        found = []
        for container in _children(root, "equivalentPolicies"):
            for element in _children(container, "equivalentPolicy"):
                name = _required(element, "name", "equivalentPolicy")
                where = f"equivalentPolicy {name!r}"
                found.append(
                    EquivalentPolicy(name, _required(element, "id", where), _fixups(element, where))
                )
        _check_unique((p.name, "equivalent policy name") for p in found)
        _check_unique((p.id, "equivalent policy id") for p in found)
        return tuple(found)

    def classifications(self, root: Element) -> tuple[Classification, ...]:
        containers = _children(root, "securityClassifications")
        if len(containers) != 1:
            raise PolicyError("a SPIF needs exactly one securityClassifications")
        found = []
        for element in _children(containers[0], "securityClassification"):
            name = _required(element, "name", "securityClassification")
            where = f"classification {name!r}"
            equivalents = tuple(
                EquivalentClassification(
                    _required(e, "policyRef", where),
                    _integer(e, "lacv", where),
                    _applied(e, where),
                    _fixups(e, where),
                )
                for e in _children(element, "equivalentClassification")
            )
            found.append(
                Classification(
                    name=name,
                    lacv=_integer(element, "lacv", where),
                    hierarchy=_integer(element, "hierarchy", where),
                    markings=_markings(element, where),
                    color=element.get("color"),
                    obsolete=_boolean(element, "obsolete"),
                    required=_groups(element, where),
                    equivalents=equivalents,
                )
            )
        if not found:
            raise PolicyError("a SPIF needs at least one securityClassification")
        _check_unique((c.name, "classification name") for c in found)
        _check_unique((c.lacv, "classification lacv") for c in found)
        _check_unique((c.hierarchy, "classification hierarchy") for c in found)
        return tuple(found)

    def tag_set(self, element: Element) -> TagSet:
        name = _required(element, "name", "securityCategoryTagSet")
        where = f"tag set {name!r}"
        tag_set_id = _required(element, "id", where)
        tags = tuple(self.tag(name, tag) for tag in _children(element, "securityCategoryTag"))
        if not tags:
            raise PolicyError(f"{where}: no securityCategoryTag")
        tags = self.deduplicated(name, tags)
        equivalents = tuple(
            EquivalentTagSet(
                _required(e, "policyRef", where), e.get("name"), e.get("id"), _fixups(e, where)
            )
            for e in _children(element, "equivalentSecurityCategoryTagSet")
        )
        return TagSet(name, tag_set_id, tags, equivalents)

    def tag(self, tag_set: str, element: Element) -> CategoryTag:
        tag_type = _required(element, "tagType", f"tag set {tag_set!r}")
        name = element.get("name") or tag_set
        where = f"tag {name!r} of tag set {tag_set!r}"
        single = _boolean(element, "singleSelection")
        max_selection = 1 if single else _selection(element, "maxSelection", where)
        return CategoryTag(
            name=name,
            tag_type=tag_type,
            kind=kind_of(tag_type, element.get("enumType"), where),
            categories=tuple(
                self.tag_category(tag_set, c) for c in _children(element, "tagCategory")
            ),
            markings=_markings(element, where),
            tag7_encoding=element.get("tag7Encoding"),
            max_selection=max_selection,
            min_selection=_selection(element, "minSelection", where),
        )

    def tag_category(self, tag_set: str, element: Element) -> TagCategory:
        name = _required(element, "name", f"tag set {tag_set!r}")
        where = f"tag category {name!r} of tag set {tag_set!r}"
        excluded = [(e.text or "").strip() for e in _children(element, "excludedClass")]
        for class_name in {c for c in excluded if excluded.count(c) > 1}:
            raise PolicyError(f"{where}: duplicate excluded classification {class_name!r}")
        equivalents = tuple(
            EquivalentCategory(
                policy_ref=_required(e, "policyRef", where),
                tag_set_id=_required(e, "tagSetId", where),
                kind=kind_of(_required(e, "tagType", where), e.get("enumType"), where),
                lacv=parse_lacv(_required(e, "lacv", where)),
                applied=_applied(e, where),
                discard=e.get("action") == "discard",
            )
            for e in _children(element, "equivalentSecCategoryTag")
        )
        return TagCategory(
            name=name,
            lacv=parse_lacv(_required(element, "lacv", where)),
            markings=_markings(element, where),
            obsolete=_boolean(element, "obsolete"),
            excluded_classes=frozenset(excluded),
            required_class=element.get("requiredClass"),
            required=_groups(element, where),
            excluded_categories=tuple(
                _category_ref(e, where) for e in _children(element, "excludedCategory")
            ),
            equivalents=equivalents,
            user_input=element.get("userInput"),
        )

    def deduplicated(self, tag_set: str, tags: tuple[CategoryTag, ...]) -> tuple[CategoryTag, ...]:
        """The tags with each repeated category name dropped after its first definition."""
        kept_tags = []
        seen_names: set[tuple[TagKind, str]] = set()
        seen_lacvs: dict[tuple[TagKind, Lacv], str] = {}
        for tag in tags:
            where = f"tag set {tag_set!r} ({tag.kind.value.lower()})"
            kept = []
            for category in tag.categories:
                if (tag.kind, category.name) in seen_names:
                    self.tolerate(f"{where}: duplicate tag category name {category.name!r}")
                    continue
                first_name = seen_lacvs.setdefault((tag.kind, category.lacv), category.name)
                if first_name != category.name:
                    self.tolerate(
                        f"{where}: duplicate lacv {category.lacv!r} for tag categories "
                        f"{first_name!r} and {category.name!r}"
                    )
                seen_names.add((tag.kind, category.name))
                kept.append(category)
            kept_tags.append(replace(tag, categories=tuple(kept)))
        return tuple(kept_tags)


def _check_unique(items: Iterator[tuple[object, str]]) -> None:
    seen: set[object] = set()
    for value, what in items:
        if value in seen:
            raise PolicyError(f"duplicate {what} {value!r}")
        seen.add(value)


def _check_references(policy: Policy) -> None:
    index = policy.index
    policy_refs = {p.name for p in policy.equivalent_policies}

    def check_policy_ref(ref: str, where: str) -> None:
        if ref not in policy_refs:
            raise PolicyError(f"{where}: policyRef {ref!r} names no equivalentPolicy")

    def check_category(ref: CategoryRef, where: str) -> None:
        if (ref.tag_set, ref.kind) not in index.categories:
            raise PolicyError(
                f"{where}: refers to {ref.kind.value.lower()} tag set {ref.tag_set!r}, "
                "which this policy does not have"
            )
        if ref.lacv is not None and index.category_by_lacv(ref.tag_set, ref.kind, ref.lacv) is None:
            raise PolicyError(
                f"{where}: refers to lacv {ref.lacv!r} of tag set {ref.tag_set!r}, which it lacks"
            )

    for classification in policy.classifications:
        where = f"classification {classification.name!r}"
        for ref in _references(classification.required):
            check_category(ref, where)
        for equivalent_class in classification.equivalents:
            check_policy_ref(equivalent_class.policy_ref, where)
    for tag_set in policy.tag_sets:
        for equivalent_set in tag_set.equivalents:
            check_policy_ref(equivalent_set.policy_ref, f"tag set {tag_set.name!r}")
        for tag in tag_set.tags:
            for category in tag.categories:
                where = f"tag category {category.name!r} of tag set {tag_set.name!r}"
                for class_name in sorted(category.excluded_classes):
                    if class_name not in index.classes_by_name:
                        raise PolicyError(f"{where}: excludedClass {class_name!r} is unknown")
                if category.required_class and category.required_class not in index.classes_by_name:
                    raise PolicyError(
                        f"{where}: requiredClass {category.required_class!r} is unknown"
                    )
                for ref in (*_references(category.required), *category.excluded_categories):
                    check_category(ref, where)
                for equivalent_category in category.equivalents:
                    check_policy_ref(equivalent_category.policy_ref, where)
