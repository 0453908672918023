"""A person's national clearance, seen through the node's policy (issue 4, item 8).

A national authority clears a person to a level of its own policy, with special categories;
the node decides access under its NATO policy. The level and the categories are carried across
by the SPIFs' equivalences, and the person's "Releasable To" values are their nation and the
communities it belongs to. Whatever cannot be carried across is left out, and an expired (or
not yet valid) clearance is no clearance: every doubt denies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from liaison.domain.nations import COMMUNITIES, RELEASABLE_TO, Community, releasability_values
from liaison.security import (
    Clearance,
    EquivalenceError,
    Label,
    LabelCategory,
    Policy,
    PolicyRegistry,
    TagKind,
    label_problem,
    translate,
)
from liaison.security.clearance import classification_aliases

NODE_POLICY = "NATO"


@dataclass(frozen=True, slots=True)
class NationalClearance:
    """A clearance as the national authority granted it, in its own policy's names.

    Valid from `issued` through `expires`, both days included (UTC dates).
    """

    policy: str
    level: str
    special: frozenset[str] = frozenset()
    issued: date | None = None
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class Derived:
    """The clearance access decisions use, or None; `notes` say why, or what was left out."""

    clearance: Clearance | None
    notes: tuple[str, ...] = ()


def check_national(
    registry: PolicyRegistry, policy: str, level: str, special: Iterable[str]
) -> tuple[str, str, tuple[str, ...]]:
    """The policy, level and special categories under their SPIF names.

    ValueError names whatever the policy does not know: a level above (or beside) its
    classifications, or a category it does not have.
    """
    found = registry.get(policy)
    if found is None:
        raise ValueError(f"unknown policy {policy!r}")
    aliases = classification_aliases(found)
    canonical_level = aliases.get(level.strip())
    if canonical_level is None:
        known = ", ".join(c.name for c in found.classifications)
        raise ValueError(f"policy {found.name} has no level {level!r} (it knows {known})")
    categories = _special_categories(found)
    names = sorted({name.strip() for name in special})
    for name in names:
        if name not in categories:
            known = ", ".join(sorted(categories)) or "none"
            raise ValueError(
                f"policy {found.name} has no special category {name!r} (it knows {known})"
            )
    return found.name, canonical_level, tuple(names)


def derive_clearance(
    nation: str,
    national: NationalClearance | None,
    *,
    today: date,
    registry: PolicyRegistry,
    communities: Iterable[Community] = COMMUNITIES,
    target: str = NODE_POLICY,
) -> Derived:
    """The clearance a person of `nation` holds under `target` on `today`."""
    if national is None:
        return Derived(None, ("no clearance recorded",))
    if national.expires is not None and national.expires < today:
        return Derived(None, (f"clearance expired on {national.expires.isoformat()}",))
    if national.issued is not None and national.issued > today:
        return Derived(None, (f"clearance valid from {national.issued.isoformat()}",))
    source = registry.get(national.policy)
    node = registry.get(target)
    if source is None or node is None:
        missing = national.policy if source is None else target
        return Derived(None, (f"policy {missing!r} is unknown to this node",))
    level = source.index.classes_by_name.get(national.level)
    if level is None:
        return Derived(None, (f"policy {source.name} has no level {national.level!r}",))
    base = Label(source.name, level.name)
    if source is node:
        mapped = base
    else:
        try:
            mapped = translate(base, source, node)
        except EquivalenceError as error:
            return Derived(None, (f"{source.name} {level.name} has no equivalent: {error}",))
    ceiling = node.index.classes_by_name[mapped.classification].hierarchy
    classifications = {c.name for c in node.classifications if c.hierarchy <= ceiling}
    held: dict[str, set[str]] = {}
    notes: list[str] = []
    special = _special_categories(source)
    for name in sorted(national.special):
        for tag_set, kind in special.get(name, ()):
            try:
                values = _carry_category(source, node, level.hierarchy, tag_set, kind, name, mapped)
            except EquivalenceError as error:
                notes.append(f"special category {name} left out: {error}")
                continue
            if not values:
                notes.append(f"special category {name} has no counterpart in {node.name}")
            for mapped_set, value in values:
                held.setdefault(mapped_set, set()).add(value)
    releasable = node.index.categories.get((RELEASABLE_TO, TagKind.PERMISSIVE), {})
    held[RELEASABLE_TO] = {
        value for value in releasability_values(nation, communities) if value in releasable
    }
    clearance = Clearance(
        node.name,
        frozenset(classifications),
        {name: frozenset(values) for name, values in held.items()},
    )
    return Derived(clearance, tuple(notes))


def _special_categories(policy: Policy) -> dict[str, list[tuple[str, TagKind]]]:
    """Special categories are the values of restrictive tag sets, by name: releasability is
    derived from nationality, and informative categories never decide access."""
    found: dict[str, list[tuple[str, TagKind]]] = {}
    for (tag_set, kind), values in policy.index.categories.items():
        if kind is TagKind.RESTRICTIVE:
            for name in values:
                found.setdefault(name, []).append((tag_set, kind))
    return found


def _carry_category(
    source: Policy,
    node: Policy,
    ceiling: int,
    tag_set: str,
    kind: TagKind,
    name: str,
    base: Label,
) -> set[tuple[str, str]]:
    """The node's (tag set, value) pairs for one special category.

    It is translated on a label of the highest level at or below the person's at which the
    source policy allows it (OFFICIAL-SENSITIVE exists only at OFFICIAL). What the bare level
    alone would bring (categories an equivalence requires) is not granted by the category.
    """
    category = (LabelCategory(tag_set, kind, frozenset({name})),)
    levels = sorted(
        (c for c in source.classifications if c.hierarchy <= ceiling),
        key=lambda c: c.hierarchy,
        reverse=True,
    )
    for classification in levels:
        label = Label(source.name, classification.name, category)
        if label_problem(source, label) is not None:
            continue
        mapped = label if source is node else translate(label, source, node)
        brought = {(c.tag_set, v) for c in base.categories for v in c.values}
        return {(c.tag_set, v) for c in mapped.categories for v in c.values} - brought
    raise EquivalenceError(f"{name!r} cannot accompany any level up to the clearance's")
