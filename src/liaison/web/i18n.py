"""English and French for the pages: gettext catalogues read from the `.po` files at start (no
compiled `.mo` in the repository), one Jinja2 environment per language, and the choice of
language for a request (the user's own setting, else the browser's Accept-Language)."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_DIR = Path(__file__).parent / "templates"


def load_translations(language: str) -> Translations:
    """The catalogue of `language`, parsed from its `.po` file into a gettext object."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def _environment(translations: Translations) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return environment


TRANSLATIONS = {language: load_translations(language) for language in LANGUAGES}
ENVIRONMENTS = {language: _environment(TRANSLATIONS[language]) for language in LANGUAGES}


def gettext(language: str, message: str) -> str:
    """`message` translated into `language` (for text built in Python, e.g. flash messages)."""
    return TRANSLATIONS[language].gettext(message)


def choose_language(chosen: str | None, accept_language: str) -> str:
    """The user's own language when set, else the first supported one the browser asks for."""
    if chosen in LANGUAGES:
        return chosen
    ranked = []
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE
