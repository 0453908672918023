"""Hypothesis strategies for labels and clearances valid under a policy."""

from hypothesis import strategies as st

from liaison.security import Clearance, Label, LabelCategory, Policy, TagKind


@st.composite
def valid_labels(draw: st.DrawFn, policy: Policy) -> Label:
    """A label valid under `policy`: values allowed at its classification, permissive non-empty."""
    classification = draw(st.sampled_from([c.name for c in policy.classifications]))
    allowed = policy.index.allowed[classification]
    categories = []
    for (tag_set, kind), values in sorted(allowed.items()):
        if not values or policy.index.constrained[(tag_set, kind)]:
            continue
        chosen = draw(st.frozensets(st.sampled_from(sorted(values)), max_size=4))
        if chosen:
            categories.append(LabelCategory(tag_set, kind, chosen))
    return Label(policy.name, classification, tuple(categories))


@st.composite
def clearances(draw: st.DrawFn, policy: Policy) -> Clearance:
    """A clearance under `policy`, holding every classification up to some level.

    Clearances are issued that way; the decision itself treats the classifications as a set
    (see test_classification_is_a_set_not_a_ceiling), so gaps would make a higher label
    visible where a lower one is not.
    """
    ranked = sorted(policy.classifications, key=lambda c: c.hierarchy)
    level = draw(st.integers(min_value=0, max_value=len(ranked)))
    held_classes = frozenset(c.name for c in ranked[:level])
    held = {}
    for (tag_set, _kind), values in sorted(policy.index.categories.items()):
        held[tag_set] = draw(st.frozensets(st.sampled_from(sorted(values)), max_size=len(values)))
    return Clearance(policy.name, held_classes, held)


def kinds(label: Label, kind: TagKind) -> list[LabelCategory]:
    return [c for c in label.categories if c.kind is kind]
