"""What the rest of Liaison needs from a translation engine, whichever one is configured."""

from __future__ import annotations

from typing import Protocol


class TranslationUnavailable(Exception):
    """A translation that could not be made, for any reason.

    The message is safe to show to the reader and to log: it never holds the text being
    translated (which may be classified), nor a key.
    """


class TranslationEngine(Protocol):
    name: str

    def languages(self) -> frozenset[tuple[str, str]] | None:
        """The (source, target) pairs the engine translates, or None when it cannot tell.

        May raise `TranslationUnavailable` when the engine cannot be asked.
        """
        ...

    def translate(self, text: str, source: str, target: str) -> str:
        """`text` translated from `source` to `target` (ISO 639-1 codes), or raise
        `TranslationUnavailable`."""
        ...
