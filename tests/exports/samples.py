"""A report as an export receives it, for the export tests."""

from __future__ import annotations

from dataclasses import replace

from liaison.exports.document import Portion, ReportDocument
from liaison.security import Label, LabelCategory, TagKind, label_to_xml

MARKING = "NATO SECRET RELEASABLE TO GBR, FRA"
LABEL = Label(
    "NATO",
    "SECRET",
    (LabelCategory("Releasable To", TagKind.PERMISSIVE, frozenset({"GBR", "FRA"})),),
)
FRENCH = "Le détachement a reçu l'ordre « tenir la crête » près de Mitrovicë ; très élevé."


def report(**changes: object) -> ReportDocument:
    """A small SITREP; `changes` replace any of its fields."""
    document = ReportDocument(
        report_id="0193a5e2-7c1d-7000-8000-000000000001",
        title="Patrouille de nuit — secteur Nord",
        kind="SITREP",
        dtg="241530ZNOV26",
        office="GBR Liaison Office Pristina",
        author="Maj. A. Dupré",
        state="final",
        overall_marking=MARKING,
        fields=(("Size", "Company"), ("Activity", "Patrol")),
        locations=("34TEN1234567890", "34TEN2345678901"),
        portions=(
            Portion("NS", "Enemy company observed moving south at 0300."),
            Portion("NR//REL GBR", FRENCH),
        ),
        label_xml=label_to_xml(LABEL),
        exported_at="2026-11-24T15:30:00Z",
        exported_by="cdt.martin",
    )
    return replace(document, **changes)  # type: ignore[arg-type]
