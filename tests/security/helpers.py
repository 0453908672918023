"""Paths to test data, and a short way to write labels in tests."""

from pathlib import Path

from liaison.security import Label, LabelCategory, TagKind

# CI clones the repository with ../shared beside it.
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "security-policy"
TABLE17 = REFERENCE / "nato-4774-table17"
DATA = Path(__file__).resolve().parent / "data"

RELEASABLE = "Releasable To"
SCD = "Special Category Designators"
ADMIN = "Administrative"


def label(
    classification: str, *categories: tuple[str, TagKind, set[str]], policy: str = "NATO"
) -> Label:
    """A label from (tag set, kind, values) triples."""
    return Label(
        policy,
        classification,
        tuple(LabelCategory(name, kind, frozenset(values)) for name, kind, values in categories),
    )
