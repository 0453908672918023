"""What an export contains, and its canonical JSON form (the bytes the package signs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Portion:
    """One paragraph and its portion mark, e.g. "NS" or "NR//REL GBR"."""

    mark: str
    text: str


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """A report as one reader may see it: the caller has already dropped what they may not."""

    report_id: str
    title: str
    kind: str
    dtg: str
    office: str
    author: str
    state: str
    overall_marking: str
    fields: tuple[tuple[str, str], ...]
    locations: tuple[str, ...]
    portions: tuple[Portion, ...]
    label_xml: bytes
    exported_at: str
    exported_by: str

    def __post_init__(self) -> None:
        """Refuse an export time that would make the PDF's dates depend on the local zone."""
        exported_at_datetime(self)


def exported_at_datetime(doc: ReportDocument) -> datetime:
    """`doc.exported_at` parsed; ValueError unless it is ISO 8601 with a time zone."""
    when = datetime.fromisoformat(doc.exported_at)
    if when.utcoffset() is None:
        raise ValueError(f"exported_at {doc.exported_at!r} has no time zone")
    return when


def to_json(doc: ReportDocument) -> bytes:
    """Canonical JSON of `doc` without its label: sorted keys, no spaces, UTF-8.

    Equal documents give equal bytes, so the package's digest of content.json is reproducible.
    """
    content = {
        "report_id": doc.report_id,
        "title": doc.title,
        "kind": doc.kind,
        "dtg": doc.dtg,
        "office": doc.office,
        "author": doc.author,
        "state": doc.state,
        "overall_marking": doc.overall_marking,
        "fields": [[label, value] for label, value in doc.fields],
        "locations": list(doc.locations),
        "portions": [{"mark": p.mark, "text": p.text} for p in doc.portions],
        "exported_at": doc.exported_at,
        "exported_by": doc.exported_by,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")
