"""The PDF export: the marking on every page, top and bottom, and the text as written."""

from __future__ import annotations

import io

import pypdf

from liaison.exports.document import Portion
from liaison.exports.pdf import render_pdf

from .samples import FRENCH, MARKING, report

LONG = " ".join(f"Phrase {n} du compte rendu, à transmettre sans délai." for n in range(60))


def pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def test_every_page_of_a_long_report_is_marked_at_top_and_bottom() -> None:
    document = report(portions=tuple(Portion("NS", LONG) for _ in range(5)))
    texts = pages(render_pdf(document))
    assert len(texts) >= 3
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert text.count(MARKING) == 2
        assert lines[0] == MARKING
        assert lines[-1] == MARKING


def test_each_paragraph_opens_with_its_portion_mark() -> None:
    text = " ".join(" ".join(pages(render_pdf(report()))).split())
    assert "(NS) Enemy company observed moving south at 0300." in text
    assert "(NR//REL GBR) Le détachement" in text
    assert text.index("(NS) Enemy") < text.index("(NR//REL GBR) Le")


def test_french_text_survives() -> None:
    text = " ".join(" ".join(pages(render_pdf(report(title="Rapport d'activité")))).split())
    assert FRENCH in text
    assert "Rapport d'activité" in text
    assert "Maj. A. Dupré" in text
    for character in "éèçàùêôîœ«»":
        document = report(portions=(Portion("NU", f"x{character}x"),))
        assert f"x{character}x" in " ".join(pages(render_pdf(document)))


def test_characters_the_font_lacks_show_as_question_marks() -> None:
    text = " ".join(pages(render_pdf(report(portions=(Portion("NU", "Κόσοβο Косово 北京"),)))))
    assert "Κόσοβο Косово ??" in text


def test_fields_and_locations_are_printed() -> None:
    text = " ".join(pages(render_pdf(report())))
    for expected in ("SITREP", "241530ZNOV26", "Size: Company", "34TEN1234567890"):
        assert expected in text


def test_a_report_without_portions_is_one_marked_page() -> None:
    texts = pages(render_pdf(report(portions=(), fields=(), locations=())))
    assert len(texts) == 1
    assert texts[0].count(MARKING) == 2


def test_metadata_names_only_the_report_and_its_marking() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(report())))
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == report().report_id
    assert metadata.subject == MARKING
    assert metadata.author is None
    assert report().title not in str(dict(metadata))
    assert metadata.creation_date is not None
    assert metadata.creation_date.isoformat().startswith("2026-11-24T15:30:00")


def test_rendering_is_deterministic() -> None:
    assert render_pdf(report()) == render_pdf(report())


def test_a_marking_too_long_for_one_line_still_frames_every_page() -> None:
    marking = "NATO SECRET RELEASABLE TO " + ", ".join(["GBR", "FRA", "DEU", "ITA", "NLD"] * 8)
    document = report(overall_marking=marking, portions=(Portion("NS", LONG),) * 3)
    for text in pages(render_pdf(document)):
        assert " ".join(text.split()).count(marking) == 2
