"""Guessing the language of a message, to pick its glossary terms and offer a translation.

lingua ships its models inside the wheel, so nothing is fetched at run time. It is restricted to
the languages an alliance writes in: fewer candidates means better answers on short messages and
less memory (each Latin-script language costs about 20 MB once loaded; languages with a script
of their own, such as Greek or Russian, are loaded only when text in that script arrives).
"""

from __future__ import annotations

from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = frozenset(
    {"en", "fr", "de", "es", "it", "nl", "pl", "pt", "ro", "tr", "el", "bg", "uk", "ru"}
)
MIN_LETTERS = 3
MAX_CHARS = 4096
# How far ahead the best language must be of the next one; below it the answer is None, which
# is what a two-word call sign or "Roger that" deserves.
MIN_RELATIVE_DISTANCE = 0.25


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when it is too short or unclear.

    Only the first `MAX_CHARS` characters are read: a message's language shows long before that.
    The first call loads the models (a second or two); later calls take milliseconds.
    """
    sample = text[:MAX_CHARS]
    if sum(char.isalpha() for char in sample) < MIN_LETTERS:
        return None
    found = _detector().detect_language_of(sample)
    return None if found is None else found.iso_code_639_1.name.lower()


@cache
def _detector() -> LanguageDetector:
    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
        for code in sorted(LANGUAGES)
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
        .build()
    )
