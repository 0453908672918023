"""Rendering a label's marking from its SPIF, for page banners and portion marks.

A marking is: the policy's phrase (unless a classification or category phrase marked
replacePolicy takes its place, as "COSMIC" or "NATO/KFOR" do), the classification's phrase
(unless a category suppresses it), then the categories in SPIF order, one group per tag, each
group's values joined by the tag's separator (default "/") between its prefix and suffix; the
parts are joined by the SPIF-wide separator (default " ") between its prefix and suffix.

Languages: a phrase or qualifier is looked up in the requested language (e.g. "fr-CA"), then its
primary subtag ("fr"), then among those with no language. Locations: PAGE is the banner at the top
and bottom of a page (markingCode pageTop, pageBottom or pageTopBottom; markingData without a
location is a banner phrase); PORTION is a portion mark (portionMarking). Qualifier blocks with a
markingCode apply to their location only. A portion mark shows only what the SPIF gives a portion
phrase for, and always the classification (its portion phrase, else its name).
"""

from enum import StrEnum

from liaison.security.errors import LabelError
from liaison.security.model import Label
from liaison.security.policy import (
    Classification,
    IndexedCategory,
    MarkingCode,
    MarkingPhrase,
    Markings,
    Policy,
    Qualifier,
    QualifierCode,
)


class MarkingLocation(StrEnum):
    PAGE = "page"
    PORTION = "portion"


_LOCATIONS = {
    MarkingCode.PAGE_TOP: MarkingLocation.PAGE,
    MarkingCode.PAGE_BOTTOM: MarkingLocation.PAGE,
    MarkingCode.PAGE_TOP_BOTTOM: MarkingLocation.PAGE,
    MarkingCode.PORTION_MARKING: MarkingLocation.PORTION,
}
# Codes that say how to display, not where; markingData with only these is a banner phrase.
_DISPLAY_CODES = frozenset(
    {
        MarkingCode.NO_NAME_DISPLAY,
        MarkingCode.NO_MARKING_DISPLAY,
        MarkingCode.SUPPRESS_CLASS_NAME,
        MarkingCode.REPLACE_POLICY,
    }
)


def _applies(phrase: MarkingPhrase, location: MarkingLocation) -> bool:
    places = phrase.codes - _DISPLAY_CODES
    if not places:
        return location is MarkingLocation.PAGE
    return any(_LOCATIONS.get(code) is location for code in places)


class _Renderer:
    def __init__(self, lang: str, location: MarkingLocation) -> None:
        lang = lang.strip().lower()
        chain = [lang, lang.split("-")[0].split("_")[0], None]
        self.langs = list(dict.fromkeys(chain))
        self.location = location

    def phrase(self, markings: Markings, *, replacing: bool) -> MarkingPhrase | None:
        """The first phrase in language order for this location, replacing the policy or not."""
        for lang in self.langs:
            for phrase in markings.phrases:
                if (
                    (phrase.lang.lower() if phrase.lang else None) == lang
                    and (MarkingCode.REPLACE_POLICY in phrase.codes) == replacing
                    and _applies(phrase, self.location)
                ):
                    return phrase
        return None

    def qualifier(
        self, qualifiers: tuple[Qualifier, ...], code: QualifierCode, default: str
    ) -> str:
        for lang in self.langs:
            for qualifier in qualifiers:
                if (
                    qualifier.code is code
                    and (qualifier.lang.lower() if qualifier.lang else None) == lang
                    and (
                        qualifier.location is None
                        or _LOCATIONS.get(qualifier.location) is self.location
                    )
                ):
                    return qualifier.text
        return default

    def qualified(self, qualifiers: tuple[Qualifier, ...], text: str) -> str:
        prefix = self.qualifier(qualifiers, QualifierCode.PREFIX, "")
        return prefix + text + self.qualifier(qualifiers, QualifierCode.SUFFIX, "")

    def own_text(self, markings: Markings, name: str, *, shown_by_default: bool) -> str:
        """What an element shows of itself: its phrase, its name, or nothing."""
        phrase = self.phrase(markings, replacing=False) or self.phrase(markings, replacing=True)
        if phrase is None:
            return name if shown_by_default else ""
        codes = phrase.codes
        if MarkingCode.NO_MARKING_DISPLAY in codes:
            return ""
        if phrase.phrase is not None and MarkingCode.REPLACE_POLICY not in codes:
            return phrase.phrase
        return "" if MarkingCode.NO_NAME_DISPLAY in codes else name

    def policy_replacement(self, markings: Markings, name: str) -> str | None:
        phrase = self.phrase(markings, replacing=True)
        if phrase is None:
            return None
        return name if phrase.phrase is None else phrase.phrase

    def suppresses_class(self, markings: Markings) -> bool:
        phrase = self.phrase(markings, replacing=False)
        return phrase is not None and MarkingCode.SUPPRESS_CLASS_NAME in phrase.codes

    def group(self, entries: list[IndexedCategory]) -> str:
        shown_by_default = self.location is MarkingLocation.PAGE
        texts = [
            text
            for entry in entries
            if (
                text := self.own_text(
                    entry.category.markings, entry.category.name, shown_by_default=shown_by_default
                )
            )
        ]
        if not texts:
            return ""
        qualifiers = entries[0].tag.markings.qualifiers
        separator = self.qualifier(qualifiers, QualifierCode.SEPARATOR, "/")
        return self.qualified(qualifiers, separator.join(texts))


def _entries(policy: Policy, label: Label) -> list[IndexedCategory]:
    entries = []
    for category in label.categories:
        for value in category.values:
            entry = policy.index.category(category.tag_set, category.kind, value)
            if entry is None:
                raise LabelError(
                    f"cannot mark unknown value {value!r} in tag set {category.tag_set!r}"
                )
            entries.append(entry)
    return sorted(entries, key=lambda entry: entry.ordinal)


def _policy_text(
    render: _Renderer,
    policy: Policy,
    classification: Classification,
    entries: list[IndexedCategory],
) -> str:
    """The policy's phrase, or the first phrase that replaces it (classification first)."""
    replacing = [(classification.markings, classification.name)]
    replacing += [(entry.category.markings, entry.category.name) for entry in entries]
    for markings, name in replacing:
        replacement = render.policy_replacement(markings, name)
        if replacement is not None:
            return replacement
    text = render.own_text(
        policy.markings, policy.name, shown_by_default=render.location is MarkingLocation.PAGE
    )
    return render.qualified(policy.markings.qualifiers, text) if text else ""


def render_marking(
    policy: Policy,
    label: Label,
    *,
    lang: str = "en",
    location: MarkingLocation = MarkingLocation.PAGE,
) -> str:
    """The marking of `label` under `policy`, e.g. "NATO SECRET Releasable to France"."""
    if not policy.identifies(label.policy):
        raise LabelError(f"cannot mark a label of policy {label.policy!r} under {policy.name}")
    classification = policy.index.classes_by_name.get(label.classification)
    if classification is None:
        raise LabelError(f"cannot mark unknown classification {label.classification!r}")
    render = _Renderer(lang, location)
    entries = _entries(policy, label)
    suppressed = any(render.suppresses_class(e.category.markings) for e in entries)
    class_text = render.own_text(
        classification.markings, classification.name, shown_by_default=True
    )
    groups: list[list[IndexedCategory]] = []
    for entry in entries:
        if groups and groups[-1][0].tag is entry.tag:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    parts = [
        _policy_text(render, policy, classification, entries),
        "" if suppressed else class_text,
        *(render.group(group) for group in groups),
    ]
    separator = render.qualifier(policy.qualifiers, QualifierCode.SEPARATOR, " ")
    return render.qualified(policy.qualifiers, separator.join(part for part in parts if part))
