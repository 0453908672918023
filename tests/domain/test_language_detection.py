"""Guessing a message's language."""

from __future__ import annotations

import pytest

from liaison.domain.language_detection import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The convoy will leave the forward operating base at dawn.", "en"),
        ("Le convoi quittera la base opérationnelle avancée à l'aube.", "fr"),
        ("Der Konvoi verlässt den vorgeschobenen Stützpunkt im Morgengrauen.", "de"),
    ],
)
def test_sentences_are_recognised(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["Hotel Alpha", "OK", "", "12:30Z 4/5", "   "])
def test_short_or_ambiguous_text_has_no_language(text: str) -> None:
    assert detect_language(text) is None
