"""The report as an A4 PDF, with the overall marking at the top and bottom of every page.

Text is set in Source Sans Pro, from the `font-source-sans-pro` package (SIL Open Font License),
embedded and subset: it covers Latin (with French and the other European accents), Greek and
Cyrillic. fpdf2's own core fonts are Latin-1 only, and system font paths differ per machine.
A character the font lacks (CJK, Arabic, emoji...) is printed as "?" rather than dropped, so a
reader can see that something is missing; content.json in the bound package keeps the exact text.

The PDF's metadata holds only the report id (title) and the overall marking (subject): a report's
title may itself be classified, and metadata is often indexed or shown without the pages' banners.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from liaison.exports.document import ReportDocument, exported_at_datetime

FONT = "SourceSans"
_FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}
BANNER_SIZE = 10
BODY_SIZE = 11
LINE = 5.5  # mm, body line height
MARGIN = 15  # mm, page margins and the gap between a banner and the page edge


def _font_path(name: str) -> Path:
    # The package is installed as plain files (not zipped), so as_file yields the real path.
    with as_file(files("font_source_sans_pro") / "files" / name) as path:
        return path


class _MarkedPDF(FPDF):
    """An FPDF whose every page opens and closes with the overall marking, centred and bold."""

    def __init__(self, marking: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        coverage = []
        for style, name in _FONT_FILES.items():
            self.add_font(FONT, style, str(_font_path(name)))
            self.set_font(FONT, style)
            assert isinstance(self.current_font, TTFFont)
            coverage.append(frozenset(self.current_font.cmap))
        self.covered = frozenset.intersection(*coverage)
        self.marking = self.printable(marking)
        self.banner_height = float(LINE)
        self.set_margins(MARGIN, MARGIN, MARGIN)

    def printable(self, text: str) -> str:
        """`text` with each character the font cannot draw replaced by "?" (newlines kept)."""
        return "".join(c if c == "\n" or ord(c) in self.covered else "?" for c in text)

    def header(self) -> None:
        # A long marking wraps (measuring needs a page, so it is done here, before any body
        # text); the bottom margin leaves room for all of the footer's lines.
        self.set_font(FONT, "B", BANNER_SIZE)
        lines = self.multi_cell(0, LINE, self.marking, align="C", dry_run=True, output="LINES")
        self.banner_height = LINE * max(1, len(cast(list[str], lines)))
        self.set_auto_page_break(True, margin=MARGIN + self.banner_height + LINE)
        self._banner(MARGIN)
        self.ln(LINE)

    def footer(self) -> None:
        self._banner(self.h - MARGIN - self.banner_height)

    def _banner(self, y: float) -> None:
        self.set_y(y)
        self.set_font(FONT, "B", BANNER_SIZE)
        self.multi_cell(0, LINE, self.marking, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", BODY_SIZE)

    def paragraph(self, text: str, *, style: str = "", size: float = BODY_SIZE) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, LINE, self.printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(doc: ReportDocument) -> bytes:
    """Render `doc`; equal documents give equal bytes (the dates come from `exported_at`)."""
    pdf = _MarkedPDF(doc.overall_marking)
    pdf.set_title(doc.report_id)
    pdf.set_subject(doc.overall_marking)
    pdf.set_creation_date(exported_at_datetime(doc))
    pdf.add_page()
    pdf.paragraph(doc.title, style="B", size=16)
    pdf.ln(2)
    for name, value in (
        ("Kind", doc.kind),
        ("DTG", doc.dtg),
        ("Office", doc.office),
        ("Author", doc.author),
        ("State", doc.state),
        ("Exported", f"{doc.exported_at} by {doc.exported_by}"),
    ):
        pdf.paragraph(f"{name}: {value}")
    if doc.fields:
        pdf.ln(LINE / 2)
        for name, value in doc.fields:
            pdf.paragraph(f"{name}: {value}")
    if doc.locations:
        pdf.ln(LINE / 2)
        pdf.paragraph("Locations", style="B")
        for location in doc.locations:
            pdf.paragraph(location)
    for portion in doc.portions:
        pdf.ln(LINE / 2)
        pdf.paragraph(f"({portion.mark}) {portion.text}")
    return bytes(pdf.output())
