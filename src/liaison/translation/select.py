"""The translation engine a node's settings ask for."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from liaison.security import Clearance, ClearanceError, PolicyRegistry, clearance_from_json
from liaison.translation.argos import ArgosEngine
from liaison.translation.engine import TranslationEngine
from liaison.translation.libretranslate import LibreTranslateEngine

KINDS = ("none", "libretranslate", "argos")


def engine_from_settings(
    kind: str, url: str | None, api_key: str | None
) -> TranslationEngine | None:
    """The configured engine, or None for "none"; ValueError for settings that cannot work.

    A misconfiguration is refused at start-up rather than at the first message to translate.
    """
    chosen = kind.strip().lower()
    if chosen == "none":
        return None
    if chosen == "libretranslate":
        if not url:
            raise ValueError("the libretranslate translation engine needs the server's URL")
        return LibreTranslateEngine(url, api_key=api_key or None)
    if chosen == "argos":
        if importlib.util.find_spec("argostranslate") is None:
            raise ValueError(
                "the argos translation engine needs the argostranslate package, "
                "which is not installed"
            )
        return ArgosEngine()
    raise ValueError(f"unknown translation engine {kind!r}: expected one of {', '.join(KINDS)}")


@dataclass(frozen=True, slots=True)
class Translator:
    """The node's engine, treated as a reader: it is sent only text whose label `clearance`
    may read. Without a clearance it is sent nothing labelled."""

    engine: TranslationEngine
    clearance: Clearance | None


def translator_from_settings(
    kind: str,
    url: str | None,
    api_key: str | None,
    clearance_json: str | None,
    registry: PolicyRegistry,
) -> Translator | None:
    engine = engine_from_settings(kind, url, api_key)
    if engine is None:
        return None
    try:
        clearance = clearance_from_json(clearance_json, registry) if clearance_json else None
    except ClearanceError as error:
        raise ValueError(f"translation clearance: {error}") from None
    return Translator(engine, clearance)
