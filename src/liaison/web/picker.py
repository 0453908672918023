"""The label picker, built from the node's policy: a classification select and "Releasable
To" checkboxes (nations by name in the reader's language, then communities); and the
distribution choices (nations and communities) of a report."""

from __future__ import annotations

import gettext
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import pycountry

from liaison.domain.audience import Audience
from liaison.domain.nations import policy_communities
from liaison.security import Label, LabelCategory, Policy, TagKind

RELEASABLE_TO = "Releasable To"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class Picker:
    """What a label picker offers under one policy."""

    policy: str
    classifications: tuple[Choice, ...]
    nations: tuple[Choice, ...]
    communities: tuple[Choice, ...]


@cache
def _country_names(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def nation_text(code: str, language: str) -> str:
    """ "FRA · France" in the reader's language."""
    country = pycountry.countries.get(alpha_3=code)
    name = _country_names(language).gettext(country.name) if country else code
    return f"{code} · {name}"


def picker(policy: Policy, language: str) -> Picker:
    classes = sorted(
        (c for c in policy.classifications if not c.obsolete), key=lambda c: c.hierarchy
    )
    communities = policy_communities(policy)
    values = policy.index.categories.get((RELEASABLE_TO, TagKind.PERMISSIVE), {})
    nations = sorted(name for name in values if name not in communities)
    return Picker(
        policy=policy.name,
        classifications=tuple(Choice(c.name, c.name) for c in classes),
        nations=tuple(Choice(code, nation_text(code, language)) for code in nations),
        communities=tuple(Choice(name, name) for name in sorted(communities)),
    )


def picked_label(policy: str, classification: str, releasable: Iterable[str]) -> Label:
    """The label a picker's fields describe; no releasability when no box is ticked."""
    chosen = frozenset(releasable)
    categories = (LabelCategory(RELEASABLE_TO, TagKind.PERMISSIVE, chosen),) if chosen else ()
    return Label(policy, classification, categories)


def picker_values(label: Label) -> dict[str, object]:
    """The picker's fields for an existing label: its classification and "Releasable To"."""
    releasable = sorted(
        value
        for category in label.categories
        if category.tag_set == RELEASABLE_TO and category.kind == TagKind.PERMISSIVE
        for value in category.values
    )
    return {"classification": label.classification, "releasable": releasable}


def audiences(entries: Sequence[str]) -> list[Audience]:
    """Distribution entries from form values such as "nation:FRA" or "community:NATO"."""
    parsed = []
    for entry in entries:
        kind, _, value = entry.partition(":")
        parsed.append(Audience.parse(kind, value))
    return parsed
