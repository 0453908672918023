"""People test data, built through the actions as users would build it.

`build_office` makes a corps headquarters with a British liaison office (default label NATO
RESTRICTED releasable to NATO), one department and two posts. People are added per test with
`person(...)`. British readers cleared NATO SECRET see everything labelled "releasable to
GBR"; French readers must see no trace of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from liaison.actions.organization import (
    do_add_department,
    do_create_office,
    do_create_organization,
    do_create_post,
)
from liaison.actions.people import do_create_person, do_set_person_clearance
from liaison.domain.accounts import Principal, Role
from liaison.domain.clearances import NationalClearance
from liaison.node import Node
from liaison.security import Clearance, Label, LabelCategory, TagKind
from tests.conftest import write

ORIGIN = "test.liaison"
RELEASABLE = "Releasable To"
SCD = "Special Category Designators"
UP_TO_SECRET = frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"})
TODAY = date(2026, 11, 24)
STAFF_COURSE = "NATO Staff Officer Course"


def nato(classification: str, *releasable: str, special: tuple[str, ...] = ()) -> Label:
    categories = []
    if releasable:
        categories.append(LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset(releasable)))
    if special:
        categories.append(LabelCategory(SCD, TagKind.RESTRICTIVE, frozenset(special)))
    return Label("NATO", classification, tuple(categories))


UNCLASSIFIED = nato("UNCLASSIFIED")
NATO_RESTRICTED = nato("RESTRICTED", "NATO")
NATO_SECRET = nato("SECRET", "NATO")
GBR_SECRET = nato("SECRET", "GBR")


def principal(
    nation: str,
    *roles: Role,
    classes: frozenset[str] = UP_TO_SECRET,
    releasable: set[str] | None = None,
) -> Principal:
    """A user of `nation` cleared up to NATO SECRET (by default), releasable to their nation
    and NATO."""
    values = frozenset(releasable if releasable is not None else {nation, "NATO"})
    clearance = Clearance("NATO", classes, {RELEASABLE: values})
    name = f"{nation.lower()}-{'-'.join(role.value for role in roles)}"
    return Principal(uuid.uuid4(), name, name.title(), nation, frozenset(roles), None, clearance)


# The British chief of the office: administrator, officer and security officer.
CHIEF = principal("GBR", Role.ADMIN, Role.OFFICER, Role.SECURITY_OFFICER)
GBR_OFFICER = principal("GBR", Role.OFFICER)
FRA_OFFICER = principal("FRA", Role.OFFICER)
FRA_SECURITY = principal("FRA", Role.SECURITY_OFFICER, Role.ADMIN)
RESTRICTED_READER = principal(
    "GBR", Role.OFFICER, classes=frozenset({"UNCLASSIFIED", "RESTRICTED"})
)
UNCLEARED = Principal(uuid.uuid4(), "nobody", "Nobody", "GBR", frozenset({Role.OFFICER}))


@dataclass(frozen=True)
class Office:
    hq: uuid.UUID
    uk_mod: uuid.UUID
    office: uuid.UUID
    department: uuid.UUID
    liaison_post: uuid.UUID  # OF-3 to OF-4, NATO SECRET, French 3333 and English 3333, course
    clerk_post: uuid.UUID  # OR-4 to OR-6, nothing required
    secret_post: uuid.UUID  # labelled GBR SECRET


def build_office(node: Node) -> Office:
    return write(node, _office)


def _office(session: Session) -> Office:
    def organization(name: str, **given: Any) -> uuid.UUID:
        fields = {"name": name, "kind": "headquarters", "nation": None, "label": UNCLASSIFIED}
        return do_create_organization(session, CHIEF, **(fields | given), origin=ORIGIN).id

    hq = organization("Multinational Corps North-East")
    uk_mod = organization("UK Ministry of Defence", kind="ministry", nation="GBR")
    office = do_create_office(
        session,
        CHIEF,
        name="UK Liaison Office",
        sending_org_id=uk_mod,
        host_org_id=hq,
        label=UNCLASSIFIED,
        default_label=NATO_RESTRICTED,
        origin=ORIGIN,
    ).id
    department = do_add_department(session, CHIEF, office, "Operations", origin=ORIGIN).id

    def post(title: str, rank_min: str, rank_max: str, **given: Any) -> uuid.UUID:
        fields = {"department_id": department, "title": title}
        fields |= {"rank_min": rank_min, "rank_max": rank_max} | given
        return do_create_post(session, CHIEF, **fields, origin=ORIGIN).id

    return Office(
        hq=hq,
        uk_mod=uk_mod,
        office=office,
        department=department,
        liaison_post=post(
            "SO2 Liaison",
            "OF-3",
            "OF-4",
            required_clearance=NATO_SECRET,
            required_languages=[("fra", "3/3/3/3"), ("eng", "3/3/3/3")],
            required_qualifications=[STAFF_COURSE],
        ),
        clerk_post=post("Chief Clerk", "OR-4", "OR-6"),
        secret_post=post("Special Liaison", "OF-3", "OF-5", label=GBR_SECRET),
    )


def person(
    session: Session,
    family_name: str,
    *,
    actor: Principal = CHIEF,
    office_id: uuid.UUID | None = None,
    clearance: NationalClearance | None = None,
    **given: Any,
) -> uuid.UUID:
    """A person (by default an OF-4 of the British Army), with a national clearance if given."""
    fields = {
        "family_name": family_name,
        "given_names": "Alex",
        "rank_code": "OF-4",
        "rank_title": "Lieutenant Colonel",
        "service": "British Army",
        "nation": "GBR",
        "office_id": office_id,
    }
    if office_id is None:
        fields["label"] = NATO_RESTRICTED
    created = do_create_person(session, actor, **(fields | given), origin=ORIGIN)
    if clearance is not None:
        do_set_person_clearance(session, CHIEF, created.id, clearance)
    return created.id


def demo_gbr(
    level: str,
    *special: str,
    issued: date | None = date(2024, 1, 1),
    expires: date | None = date(2029, 12, 31),
) -> NationalClearance:
    """A clearance under the demo national policy (DEMO-GBR)."""
    return NationalClearance("DEMO-GBR", level, frozenset(special), issued, expires)
