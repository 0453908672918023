"""Argos Translate, which is optional and not installed here, and choosing an engine."""

from __future__ import annotations

import importlib.util

import pytest

from liaison.translation.argos import ArgosEngine
from liaison.translation.engine import TranslationUnavailable
from liaison.translation.select import engine_from_settings

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("argostranslate") is not None, reason="argostranslate is installed"
)


def test_without_argostranslate_the_engine_is_unavailable() -> None:
    engine = ArgosEngine()
    assert not engine.available()
    with pytest.raises(TranslationUnavailable, match="not installed"):
        engine.translate("Hello", "en", "fr")


def test_settings_refuse_argos_when_it_is_not_installed() -> None:
    with pytest.raises(ValueError, match="argostranslate"):
        engine_from_settings("argos", None, None)


def test_settings_none_means_no_engine() -> None:
    assert engine_from_settings(" None ", None, None) is None


def test_settings_refuse_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match="expected one of none, libretranslate, argos"):
        engine_from_settings("deepl", "https://api.example", "k")
