"""The overall label of a document made of labelled portions.

It is never below any portion: the highest classification, every restrictive value of any
portion, and for each permissive tag set only the values that every portion carrying that set
allows (releasability narrows; an empty set releases to no one). Informative values are united.
Whoever the overall label admits, every portion admits.
"""

from collections.abc import Iterable

from liaison.security.errors import RollupError
from liaison.security.model import EMPTY, Label, LabelCategory, TagKind
from liaison.security.policy import Policy
from liaison.security.validity import label_problem


def rollup(policy: Policy, portions: Iterable[Label]) -> Label:
    """One label dominating every portion, all under `policy`."""
    labels = list(portions)
    if not labels:
        raise RollupError("there are no portions to roll up")
    for number, portion in enumerate(labels, start=1):
        problem = label_problem(policy, portion)
        if problem is not None:
            raise RollupError(f"portion {number} is invalid: {problem}")
    classes = policy.index.classes_by_name
    top = max(labels, key=lambda portion: classes[portion.classification].hierarchy)
    combined: dict[tuple[str, TagKind], frozenset[str]] = {}
    for portion in labels:
        for category in portion.categories:
            key = (category.tag_set, category.kind)
            if key not in combined:
                combined[key] = category.values
            elif category.kind is TagKind.PERMISSIVE:
                combined[key] &= category.values
            else:
                combined[key] |= category.values
    marks = dict.fromkeys(p.privacy_mark for p in labels if p.privacy_mark)
    overall = Label(
        policy=policy.name,
        classification=top.classification,
        categories=tuple(LabelCategory(t, k, v or EMPTY) for (t, k), v in combined.items()),
        privacy_mark=" / ".join(marks) if marks else None,
    )
    problem = label_problem(policy, overall)
    if problem is not None:
        raise RollupError(f"the portions combine into a label {policy.name} forbids: {problem}")
    return overall
