"""Translating a label into another policy through the SPIFs' equivalences.

A mapping is looked for first in the source SPIF (equivalences applied on "encrypt", i.e. going
out, or "both"), then in the target SPIF (applied on "decrypt", coming in, or "both"); for a
category value, then through an equivalent tag set that keeps lacvs. A value whose equivalence
says "discard" is dropped, but never every value of a permissive set: that would widen release.
Categories required by the equivalences used are added. Whatever cannot be mapped, and a result
the target policy calls invalid, raise EquivalenceError naming the reason.
"""

from liaison.security.errors import EquivalenceError
from liaison.security.model import Label, LabelCategory, TagKind
from liaison.security.policy import (
    CategoryGroup,
    Classification,
    IndexedCategory,
    Policy,
)
from liaison.security.validity import label_problem


def translate(label: Label, source: Policy, target: Policy) -> Label:
    """`label`, valid under `source`, as the equivalent label under `target`."""
    problem = label_problem(source, label)
    if problem is not None:
        raise EquivalenceError(f"the label is not valid under {source.name}: {problem}")
    outgoing = source.equivalent_policy(target)
    incoming = target.equivalent_policy(source)
    if outgoing is None and incoming is None:
        raise EquivalenceError(f"{source.name} and {target.name} declare no equivalence")
    out_ref = outgoing.name if outgoing else None
    in_ref = incoming.name if incoming else None
    fixups: list[CategoryGroup] = list(outgoing.required) if outgoing else []

    classification = source.index.classes_by_name[label.classification]
    mapped_class = _classification(classification, source, target, out_ref, in_ref, fixups)
    values: dict[tuple[str, TagKind], set[str]] = {}
    for category in label.categories:
        mapped: set[str] = set()
        for value in sorted(category.values):
            entry = source.index.category(category.tag_set, category.kind, value)
            assert entry is not None  # the label is valid under source
            found = _category(entry, source, target, out_ref, in_ref, fixups)
            if found is not None:
                mapped.add(found.category.name)
                values.setdefault((found.tag_set.name, found.tag.kind), set()).add(
                    found.category.name
                )
        if category.kind is TagKind.PERMISSIVE and category.values and not mapped:
            raise EquivalenceError(
                f"every value of permissive tag set {category.tag_set!r} would be discarded, "
                f"releasing more widely under {target.name}"
            )
    for group in fixups:
        for ref in group.members:
            assert ref.lacv is not None  # the SPIF reader insists on it
            entry = target.index.category_by_lacv(ref.tag_set, ref.kind, ref.lacv)
            if entry is None:
                raise EquivalenceError(
                    f"an equivalence requires lacv {ref.lacv!r} of tag set {ref.tag_set!r}, "
                    f"which {target.name} lacks"
                )
            values.setdefault((ref.tag_set, ref.kind), set()).add(entry.category.name)

    result = Label(
        policy=target.name,
        classification=mapped_class.name,
        categories=tuple(LabelCategory(t, k, frozenset(v)) for (t, k), v in values.items()),
        privacy_mark=label.privacy_mark,
        creation_datetime=label.creation_datetime,
        originator=label.originator,
        review_datetime=label.review_datetime,
    )
    problem = label_problem(target, result)
    if problem is not None:
        raise EquivalenceError(f"the equivalent label is not valid under {target.name}: {problem}")
    return result


def _classification(
    classification: Classification,
    source: Policy,
    target: Policy,
    out_ref: str | None,
    in_ref: str | None,
    fixups: list[CategoryGroup],
) -> Classification:
    for equivalent in classification.equivalents:
        if equivalent.policy_ref == out_ref and equivalent.applied.outgoing():
            mapped = target.index.classes_by_lacv.get(equivalent.lacv)
            if mapped is None:
                raise EquivalenceError(
                    f"{source.name} maps {classification.name!r} to lacv {equivalent.lacv}, "
                    f"which {target.name} lacks"
                )
            fixups.extend(equivalent.required)
            return mapped
    # Seen from the target: when several of its classifications accept this one, the highest.
    candidates = [
        (candidate, equivalent)
        for candidate in target.classifications
        for equivalent in candidate.equivalents
        if equivalent.policy_ref == in_ref
        and equivalent.applied.incoming()
        and equivalent.lacv == classification.lacv
    ]
    if not candidates:
        raise EquivalenceError(
            f"classification {classification.name!r} has no equivalent in {target.name}"
        )
    mapped, equivalent = max(candidates, key=lambda pair: pair[0].hierarchy)
    fixups.extend(equivalent.required)
    return mapped


def _category(
    entry: IndexedCategory,
    source: Policy,
    target: Policy,
    out_ref: str | None,
    in_ref: str | None,
    fixups: list[CategoryGroup],
) -> IndexedCategory | None:
    """The target's value for `entry`, or None when it is discarded."""
    category, kind, tag_set = entry.category, entry.tag.kind, entry.tag_set
    what = f"{category.name!r} in {tag_set.name!r}"
    for equivalent in category.equivalents:
        if equivalent.policy_ref == out_ref and equivalent.applied.outgoing():
            if equivalent.discard:
                return None
            mapped_set = target.index.tag_sets_by_id.get(equivalent.tag_set_id)
            mapped = mapped_set and target.index.category_by_lacv(
                mapped_set.name, equivalent.kind, equivalent.lacv
            )
            if not mapped:
                raise EquivalenceError(f"{source.name} maps {what} to a value {target.name} lacks")
            return mapped
    for candidate_set in target.tag_sets:
        for tag in candidate_set.tags:
            for candidate in tag.categories:
                for equivalent in candidate.equivalents:
                    if (
                        equivalent.policy_ref == in_ref
                        and equivalent.applied.incoming()
                        and equivalent.tag_set_id == tag_set.id
                        and equivalent.kind is kind
                        and equivalent.lacv == category.lacv
                    ):
                        if equivalent.discard:
                            return None
                        return target.index.category(candidate_set.name, tag.kind, candidate.name)
    for equivalent_set in tag_set.equivalents:
        if equivalent_set.policy_ref != out_ref:
            continue
        mapped_set = target.index.tag_sets_by_id.get(equivalent_set.id or "")
        if mapped_set is None:
            mapped_set = target.index.tag_sets_by_name.get(equivalent_set.name or "")
        mapped = mapped_set and target.index.category_by_lacv(mapped_set.name, kind, category.lacv)
        if mapped:
            fixups.extend(equivalent_set.required)
            return mapped
    raise EquivalenceError(f"{what} has no equivalent in {target.name}")
