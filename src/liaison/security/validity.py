"""Whether a label is valid under its policy, and if not, why.

`label_problem` is on the access-decision path: a label whose values are all allowed at its
classification, and touch no further rule, is accepted with a few set operations; only the rest
are walked rule by rule, which is also where the message naming the fault is written.
"""

from collections.abc import Iterator

from liaison.security.model import Label, TagKind
from liaison.security.policy import CategoryGroup, CategoryRef, Operation, Policy, PolicyIndex


def label_problem(policy: Policy, label: Label) -> str | None:
    """The first reason `label` is not valid under `policy`, or None when it is valid."""
    index = policy.index
    allowed = index.allowed.get(label.classification)
    if allowed is not None and label.policy in index.identifiers:
        plain = label.classification not in index.rules_by_class
        for category in label.categories:
            key = (category.tag_set, category.kind)
            values = category.values
            if key not in allowed or not values <= allowed[key]:
                plain = False
                break
            if not values.isdisjoint(index.constrained[key]):
                plain = False
        if plain:
            return None
    return next(label_problems(policy, label), None)


def label_problems(policy: Policy, label: Label) -> Iterator[str]:
    """Every reason `label` is not valid under `policy`, one message each."""
    index = policy.index
    if label.policy not in index.identifiers:
        yield f"the label's policy {label.policy!r} is not {policy.name}"
        return
    classification = index.classes_by_name.get(label.classification)
    if classification is None:
        yield f"unknown classification {label.classification!r} in policy {policy.name}"
        return
    for group in classification.required:
        if not _satisfied(index, label, group):
            yield f"classification {classification.name!r} requires {_describe(index, group)}"
    for category in label.categories:
        yield from _category_problems(
            index, label, category.tag_set, category.kind, category.values
        )


def _category_problems(
    index: PolicyIndex, label: Label, tag_set: str, kind: TagKind, values: frozenset[str]
) -> Iterator[str]:
    kinds = index.kinds_by_tag_set.get(tag_set)
    if kinds is None:
        yield f"unknown tag set {tag_set!r}"
        return
    if kind not in kinds:
        yield f"tag set {tag_set!r} has no {kind.value.lower()} categories"
        return
    counts: dict[str, int] = {}
    for value in sorted(values):
        entry = index.category(tag_set, kind, value)
        if entry is None:
            yield f"unknown value {value!r} in tag set {tag_set!r}"
            continue
        category = entry.category
        what = f"{value!r} in {tag_set!r}"
        counts[entry.tag.name] = counts.get(entry.tag.name, 0) + 1
        if label.classification in category.excluded_classes:
            yield f"{what} is excluded at classification {label.classification!r}"
        if category.required_class and category.required_class != label.classification:
            yield f"{what} requires classification {category.required_class!r}"
        for group in category.required:
            if not _satisfied(index, label, group):
                yield f"{what} requires {_describe(index, group)}"
        for ref in category.excluded_categories:
            if _matching(index, label, ref) - {value}:
                yield f"{what} cannot be combined with {_describe_ref(index, ref)}"
    for entry_tag in {e.tag for e in index.categories[(tag_set, kind)].values()}:
        count = counts.get(entry_tag.name, 0)
        if entry_tag.max_selection is not None and count > entry_tag.max_selection:
            yield f"tag {entry_tag.name!r} allows at most {entry_tag.max_selection} value(s)"
        if entry_tag.min_selection is not None and 0 < count < entry_tag.min_selection:
            yield f"tag {entry_tag.name!r} needs at least {entry_tag.min_selection} values"


def _matching(index: PolicyIndex, label: Label, ref: CategoryRef) -> frozenset[str]:
    """The label's values that `ref` designates."""
    values = label.category(ref.tag_set, ref.kind) or frozenset()
    if ref.lacv is None:
        return values
    entry = index.category_by_lacv(ref.tag_set, ref.kind, ref.lacv)
    return values & {entry.category.name} if entry else frozenset()


def _satisfied(index: PolicyIndex, label: Label, group: CategoryGroup) -> bool:
    present = sum(1 for ref in group.members if _matching(index, label, ref))
    if group.operation is Operation.ALL:
        return present == len(group.members)
    if group.operation is Operation.ONLY_ONE:
        return present == 1
    return present >= 1


def _describe_ref(index: PolicyIndex, ref: CategoryRef) -> str:
    entry = None if ref.lacv is None else index.category_by_lacv(ref.tag_set, ref.kind, ref.lacv)
    which = "any value" if entry is None else repr(entry.category.name)
    return f"{which} of {ref.kind.value.lower()} tag set {ref.tag_set!r}"


def _describe(index: PolicyIndex, group: CategoryGroup) -> str:
    quantity = {Operation.ALL: "all of", Operation.ONLY_ONE: "exactly one of"}
    members = "; ".join(_describe_ref(index, ref) for ref in group.members)
    return f"{quantity.get(group.operation, 'one or more of')} [{members}]"
