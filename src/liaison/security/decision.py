"""The access decision of DESIGN.md, in the XML-SPIF model. It denies unless every rule passes."""

from liaison.security.model import EMPTY, Clearance, Decision, Label
from liaison.security.policy import Policy
from liaison.security.validity import label_problem

GRANTED = Decision(True, "granted")


def decide(policy: Policy, label: Label, clearance: Clearance) -> Decision:
    """May a reader holding `clearance` see what `label` protects, under `policy`?"""
    try:
        identifiers = policy.index.identifiers
        if label.policy not in identifiers:
            return Decision(False, f"label policy {label.policy!r} is not {policy.name}")
        if clearance.policy not in identifiers:
            return Decision(False, f"clearance policy {clearance.policy!r} is not {policy.name}")
        problem = label_problem(policy, label)
        if problem is not None:
            return Decision(False, f"invalid label: {problem}")
        if label.classification not in clearance.classifications:
            return Decision(False, f"classification {label.classification!r} is not held")
        held = clearance.categories
        for tag_set, values in label.restrictive:
            missing = values - held.get(tag_set, EMPTY)
            if missing:
                return Decision(False, f"{tag_set} {sorted(missing)} not held")
        for tag_set, values in label.permissive:
            if values.isdisjoint(held.get(tag_set, EMPTY)):
                return Decision(False, f"none of {tag_set} {sorted(values)} is held")
    except (AttributeError, TypeError) as exc:
        # Something that is not a label, clearance or policy was handed in: deny, say so.
        return Decision(False, f"malformed input: {exc}")
    return GRANTED
