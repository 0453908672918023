"""Reports as officers write them: kinds with their structured fields, states, and distribution.

The field sets follow the formats taught to staff officers (SALUTE, the 9-line MEDEVAC request,
the Admiralty grading of an INTREP's source), kept to what a liaison office exchanges.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from liaison.domain.accounts import Principal, Role
from liaison.domain.audience import Audience as Audience  # re-exported
from liaison.domain.audience import AudienceKind as AudienceKind  # re-exported
from liaison.domain.nations import RELEASABLE_TO
from liaison.security import Label

MAX_FIELD_LENGTH = 2000
MAX_PORTION_LENGTH = 20_000
MAX_PORTIONS = 200
MAX_TITLE_LENGTH = 300


class ReportKind(StrEnum):
    SITREP = "SITREP"
    INTREP = "INTREP"
    SPOTREP = "SPOTREP"
    INCREP = "INCREP"
    SALUTE = "SALUTE"
    MEDEVAC = "MEDEVAC"
    FREETEXT = "FREETEXT"


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the releasing officer
    RETURNED = "returned"  # sent back to the author with comments
    RELEASED = "released"


EDITABLE_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    title: str
    required: bool = True
    choices: tuple[str, ...] = ()  # when set, the value is one of these (or, if `many`, several)
    many: bool = False


def _f(
    name: str, title: str, required: bool = True, *choices: str, many: bool = False
) -> FieldSpec:
    return FieldSpec(name, title, required, tuple(choices), many)


FIELDS: Mapping[ReportKind, tuple[FieldSpec, ...]] = {
    ReportKind.SITREP: (
        _f("period", "Period covered"),
        _f("own_forces", "Own forces"),
        _f("opposing_forces", "Opposing forces", False),
        _f("logistics", "Logistics", False),
        _f("personnel", "Personnel", False),
        _f("assessment", "Commander's assessment", False),
    ),
    ReportKind.INTREP: (
        _f("subject", "Subject"),
        # The Admiralty (NATO) grading: source reliability A-F, information credibility 1-6.
        _f("source_reliability", "Source reliability", True, *"ABCDEF"),
        _f("credibility", "Information credibility", True, *"123456"),
    ),
    ReportKind.SPOTREP: (
        _f("observer", "Observer"),
        _f("what", "What was seen"),
        _f("where", "Where"),
        _f("when", "When"),
        _f("action_taken", "Action taken", False),
    ),
    ReportKind.INCREP: (
        _f("incident_type", "Type of incident"),
        _f("when", "When"),
        _f("where", "Where"),
        _f("casualties", "Casualties", False),
        _f("damage", "Damage", False),
        _f("action_taken", "Action taken", False),
    ),
    ReportKind.SALUTE: (
        _f("size", "Size"),
        _f("activity", "Activity"),
        _f("location", "Location"),
        _f("unit", "Unit"),
        _f("time", "Time"),
        _f("equipment", "Equipment"),
    ),
    # The 9-line MEDEVAC request, with the brevity letters of lines 3-9.
    ReportKind.MEDEVAC: (
        _f("line1_location", "Line 1: pick-up site location"),
        _f("line2_frequency", "Line 2: radio frequency, call sign and suffix"),
        _f("line3_precedence", "Line 3: patients by precedence"),
        _f("line4_equipment", "Line 4: special equipment", True, *"ABCD", many=True),
        _f("line5_patients", "Line 5: patients by type"),
        _f("line6_security", "Line 6: security at pick-up site", True, *"NPEX"),
        _f("line7_marking", "Line 7: method of marking", True, *"ABCDE"),
        _f(
            "line8_nationality",
            "Line 8: patient nationality and status",
            True,
            *"ABCDEF",
            many=True,
        ),
        _f("line9_contamination", "Line 9: NBC contamination", False, *"NBC", many=True),
    ),
    ReportKind.FREETEXT: (),
}


def field_problems(kind: ReportKind, fields: Mapping[str, str]) -> list[str]:
    """Why `fields` do not fit `kind`'s format; empty when they do."""
    specs = {spec.name: spec for spec in FIELDS[kind]}
    problems = [f"{kind} has no field {name!r}" for name in sorted(set(fields) - set(specs))]
    for spec in specs.values():
        value = fields.get(spec.name, "").strip()
        if not value:
            if spec.required:
                problems.append(f"{spec.title} ({spec.name}) is required for a {kind}")
            continue
        if len(value) > MAX_FIELD_LENGTH:
            problems.append(f"{spec.name} is longer than {MAX_FIELD_LENGTH} characters")
        elif spec.choices:
            given = [part.strip() for part in value.split(",")] if spec.many else [value]
            wrong = [part for part in given if part.upper() not in spec.choices]
            if wrong or not given:
                allowed = ", ".join(spec.choices)
                problems.append(
                    f"{spec.name} must be {'any of' if spec.many else 'one of'} {allowed}"
                )
    return problems


def clean_fields(kind: ReportKind, fields: Mapping[str, str]) -> dict[str, str]:
    """`fields` trimmed, with brevity letters upper-cased; raises ValueError with the reasons."""
    problems = field_problems(kind, fields)
    if problems:
        raise ValueError("; ".join(problems))
    cleaned = {}
    for spec in FIELDS[kind]:
        value = fields.get(spec.name, "").strip()
        if value:
            cleaned[spec.name] = value.upper() if spec.choices else value
    return cleaned


def release_refusal(actor: Principal, *, author_id: uuid.UUID, author_nation: str) -> str | None:
    """Why `actor` may not decide a report's release (or sanitize it); None when they may.

    Foreign disclosure is decided by a releasing officer of the author's nation who is not the
    author: separation of duties.
    """
    if not actor.has(Role.RELEASING_OFFICER):
        return "this needs the releasing_officer role"
    if author_nation != actor.nation:
        return "only a releasing officer of the author's nation decides its release"
    if author_id == actor.user_id:
        return "another releasing officer decides on your own report"
    return None


def releasable(label: Label, holds: frozenset[str]) -> bool:
    """Whether a reader holding these "Releasable To" values passes the label's releasability.

    Only releasability is asked: clearances are for each reader to meet when they read.
    """
    return all(values & holds for tag_set, values in label.permissive if tag_set == RELEASABLE_TO)
