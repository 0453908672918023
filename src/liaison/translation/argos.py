"""Argos Translate: offline translation on the node itself, for nodes with no network at all.

argostranslate (with its models) is large and optional, so it is imported only when used, and the
engine reports itself unavailable when it or the language pair is not installed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from liaison.translation.engine import TranslationUnavailable


class ArgosEngine:
    name = "argos"

    def available(self) -> bool:
        """Whether argostranslate is installed with at least one language pair."""
        try:
            return bool(self.languages())
        except TranslationUnavailable:
            return False

    def languages(self) -> frozenset[tuple[str, str]]:
        module = _argos()
        try:
            installed = list(module.get_installed_languages())
            return frozenset(
                (str(source.code), str(target.code))
                for source in installed
                for target in installed
                if source is not target and source.get_translation(target) is not None
            )
        except Exception:  # a third-party library: whatever it raises means "no languages"
            raise TranslationUnavailable("Argos Translate could not list its languages") from None

    def translate(self, text: str, source: str, target: str) -> str:
        if (source, target) not in self.languages():
            raise TranslationUnavailable(
                f"Argos Translate has no {source} to {target} model installed"
            )
        try:
            translated = _argos().translate(text, source, target)
        except Exception:  # a third-party library: any failure is an unavailable translation
            raise TranslationUnavailable("Argos Translate failed to translate") from None
        if not isinstance(translated, str):
            raise TranslationUnavailable("Argos Translate returned no text")
        return translated


def _argos() -> ModuleType:
    try:
        return importlib.import_module("argostranslate.translate")
    except ImportError:
        raise TranslationUnavailable("Argos Translate is not installed on this node") from None
