"""Organization test data, built through the actions as users would build it.

`build_corps` makes a small multinational corps headquarters in an exercise, with a British and
a French liaison office, in which some records are NATO SECRET releasable to GBR only: British
readers see everything, French readers must see no trace of those records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from liaison.actions.organization import (
    do_add_department,
    do_create_alliance,
    do_create_area,
    do_create_office,
    do_create_organization,
    do_create_post,
)
from liaison.actions.people import do_assign, do_create_person
from liaison.domain.accounts import Principal, Role
from liaison.node import Node
from liaison.security import Clearance, Label, LabelCategory, TagKind
from tests.conftest import write

ORIGIN = "test.liaison"
RELEASABLE = "Releasable To"
UP_TO_SECRET = frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"})
TODAY = date(2026, 11, 24)


def nato(classification: str, *releasable: str) -> Label:
    categories = (
        (LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset(releasable)),)
        if releasable
        else ()
    )
    return Label("NATO", classification, categories)


UNCLASSIFIED = nato("UNCLASSIFIED")
NATO_RESTRICTED = nato("RESTRICTED", "NATO")
GBR_SECRET = nato("SECRET", "GBR")


def principal(nation: str, *roles: Role, releasable: set[str] | None = None) -> Principal:
    """A user of `nation` cleared up to NATO SECRET, releasable to their nation and NATO."""
    values = frozenset(releasable if releasable is not None else {nation, "NATO"})
    clearance = Clearance("NATO", UP_TO_SECRET, {RELEASABLE: values})
    name = f"{nation.lower()}-{'-'.join(role.value for role in roles)}"
    return Principal(uuid.uuid4(), name, name.title(), nation, frozenset(roles), None, clearance)


ADMIN = principal("GBR", Role.ADMIN, Role.OFFICER, releasable={"GBR", "FRA", "NATO"})
GBR_OFFICER = principal("GBR", Role.OFFICER)
FRA_OFFICER = principal("FRA", Role.OFFICER)
FRA_ADMIN = principal("FRA", Role.ADMIN, Role.OFFICER)
UNCLEARED = Principal(uuid.uuid4(), "nobody", "Nobody", "FRA", frozenset({Role.OFFICER}))


def square(west: float, south: float, size: float) -> dict[str, Any]:
    """A GeoJSON square, `size` degrees a side, south-west corner first."""
    east, north = west + size, south + size
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# Over 22-24°E, 52-54°N: (23.8, 53.8) is in its bounding box but not in it.
TRIANGLE = {"type": "Polygon", "coordinates": [[[22, 52], [24, 52], [22, 54], [22, 52]]]}


# --- one record at a time, with defaults, in the caller's unit of work ------------------------


def alliance(session: Session, actor: Principal = ADMIN, **given: Any) -> uuid.UUID:
    fields = {"name": "Exercise Steadfast Quill", "kind": "exercise", "policy": "NATO"}
    fields |= {"label": UNCLASSIFIED, "origin": ORIGIN} | given
    return do_create_alliance(session, actor, **fields).id


def organization(session: Session, name: str, actor: Principal = ADMIN, **given: Any) -> uuid.UUID:
    fields = {"name": name, "kind": "headquarters", "nation": None, "label": UNCLASSIFIED}
    return do_create_organization(session, actor, **(fields | {"origin": ORIGIN} | given)).id


def office(
    session: Session,
    name: str,
    sending: uuid.UUID,
    host: uuid.UUID,
    actor: Principal = ADMIN,
    **given: Any,
) -> uuid.UUID:
    fields = {"name": name, "sending_org_id": sending, "host_org_id": host}
    fields |= {"label": UNCLASSIFIED, "origin": ORIGIN} | given
    return do_create_office(session, actor, **fields).id


def department(
    session: Session, office_id: uuid.UUID, name: str, actor: Principal = ADMIN
) -> uuid.UUID:
    return do_add_department(session, actor, office_id, name, origin=ORIGIN).id


def post(
    session: Session,
    department_id: uuid.UUID,
    title: str,
    actor: Principal = ADMIN,
    **given: Any,
) -> uuid.UUID:
    fields = {"department_id": department_id, "title": title, "rank_min": "OF-3"}
    fields |= {"rank_max": "OF-4", "origin": ORIGIN} | given
    return do_create_post(session, actor, **fields).id


def area(session: Session, name: str, actor: Principal = ADMIN, **given: Any) -> uuid.UUID:
    fields = {"name": name, "geometry": square(20.0, 52.0, 1.0), "origin": ORIGIN}
    return do_create_area(session, actor, **(fields | given)).id


def person(
    session: Session, family_name: str, nation: str, label: Label, office_id: uuid.UUID
) -> uuid.UUID:
    return do_create_person(
        session,
        ADMIN,
        family_name=family_name,
        given_names="Alex",
        rank_code="OF-4",
        rank_title="Lieutenant Colonel",
        service="Army",
        nation=nation,
        office_id=office_id,
        label=label,
        origin=ORIGIN,
    ).id


def assign(
    session: Session,
    person_id: uuid.UUID,
    post_id: uuid.UUID,
    starts_on: date,
    ends_on: date | None = None,
) -> None:
    do_assign(
        session, ADMIN, person_id, post_id, starts_on=starts_on, ends_on=ends_on, origin=ORIGIN
    )


# --- the corps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corps:
    """The ids of everything `build_corps` made. Hidden: GBR SECRET, unseen by FRA readers."""

    exercise: uuid.UUID
    aco: uuid.UUID  # NATO Allied Command Operations, sends the corps staff
    hq: uuid.UUID  # the corps headquarters, in the exercise
    command_post: uuid.UUID  # its forward command post, in the exercise
    hidden_cell: uuid.UUID  # a GBR SECRET unit under the headquarters
    cell_detachment: uuid.UUID  # visible itself, but under the hidden cell
    uk_mod: uuid.UUID
    fr_ema: uuid.UUID
    staff: uuid.UUID  # office: the corps staff at the headquarters
    uk_office: uuid.UUID
    fr_office: uuid.UUID
    command_group: uuid.UUID
    uk_operations: uuid.UUID
    uk_intelligence: uuid.UUID
    fr_operations: uuid.UUID
    chief_of_staff: uuid.UUID
    snlo: uuid.UUID  # UK senior national liaison officer
    uk_intel: uuid.UUID  # hidden post
    uk_analyst: uuid.UUID  # visible, reports nationally to the hidden post; hidden holder
    fr_chief: uuid.UUID  # vacant
    fr_officer: uuid.UUID
    snlo_person: uuid.UUID
    intel_person: uuid.UUID  # hidden person
    analyst_person: uuid.UUID  # hidden person in a visible post
    fr_person: uuid.UUID
    former_snlo: uuid.UUID  # assigned to the SNLO post until last year
    uk_area: uuid.UUID
    intel_area: uuid.UUID  # visible itself, but given to the hidden post
    secret_area: uuid.UUID  # hidden area of the (visible) UK office
    fr_area: uuid.UUID  # a triangle: its bounding box holds points it does not cover


def build_corps(node: Node) -> Corps:
    return write(node, _corps)


def _corps(session: Session) -> Corps:
    exercise = alliance(session)
    aco = organization(session, "Allied Command Operations", kind="international_organization")
    hq = organization(
        session,
        "Multinational Corps North-East",
        alliance_id=exercise,
        location="34U EC 00682 86620",
        time_zone="Europe/Warsaw",
    )
    command_post = organization(
        session, "Forward Command Post", kind="unit", parent_id=hq, alliance_id=exercise
    )
    hidden_cell = organization(
        session,
        "Special Reconnaissance Cell",
        kind="unit",
        nation="GBR",
        parent_id=hq,
        label=GBR_SECRET,
    )
    cell_detachment = organization(session, "Cell Detachment", kind="unit", parent_id=hidden_cell)
    uk_mod = organization(session, "UK Ministry of Defence", kind="ministry", nation="GBR")
    fr_ema = organization(session, "État-major des armées", kind="ministry", nation="FRA")
    staff = office(session, "Corps Staff", aco, hq)
    uk_office = office(session, "UK Liaison Office", uk_mod, hq, default_label=NATO_RESTRICTED)
    fr_office = office(session, "Cellule de liaison française", fr_ema, hq)
    command_group = department(session, staff, "Command Group")
    uk_operations = department(session, uk_office, "Operations Coordination")
    uk_intelligence = department(session, uk_office, "Intelligence")
    fr_operations = department(session, fr_office, "Coordination des opérations")
    chief_of_staff = post(
        session, command_group, "Chief of Staff", rank_min="OF-7", rank_max="OF-7"
    )
    snlo = post(
        session,
        uk_operations,
        "Senior National Liaison Officer",
        rank_min="OF-5",
        rank_max="OF-5",
        alliance_superior_id=chief_of_staff,
    )
    uk_intel = post(
        session,
        uk_intelligence,
        "Intelligence Liaison Officer",
        label=GBR_SECRET,
        alliance_superior_id=chief_of_staff,
        national_superior_id=snlo,
    )
    uk_analyst = post(
        session,
        uk_intelligence,
        "Intelligence Analyst",
        rank_min="OR-6",
        rank_max="OF-2",
        alliance_superior_id=snlo,
        national_superior_id=uk_intel,
    )
    fr_chief = post(
        session,
        fr_operations,
        "Chef de la cellule",
        rank_min="OF-5",
        rank_max="OF-5",
        alliance_superior_id=chief_of_staff,
    )
    fr_officer = post(
        session,
        fr_operations,
        "Officier de liaison",
        alliance_superior_id=chief_of_staff,
        national_superior_id=fr_chief,
    )
    snlo_person = person(session, "Ashworth", "GBR", NATO_RESTRICTED, uk_office)
    intel_person = person(session, "Blake", "GBR", GBR_SECRET, uk_office)
    analyst_person = person(session, "Carver", "GBR", GBR_SECRET, uk_office)
    fr_person = person(session, "Chevalier", "FRA", UNCLASSIFIED, fr_office)
    former_snlo = person(session, "Dunmore", "GBR", NATO_RESTRICTED, uk_office)
    assign(session, former_snlo, snlo, date(2023, 6, 1), date(2025, 5, 31))
    assign(session, snlo_person, snlo, date(2025, 6, 1))
    assign(session, intel_person, uk_intel, date(2026, 1, 5), date(2027, 1, 4))
    assign(session, analyst_person, uk_analyst, date(2026, 3, 1))
    assign(session, fr_person, fr_officer, date(2026, 9, 1))
    return Corps(
        exercise=exercise,
        aco=aco,
        hq=hq,
        command_post=command_post,
        hidden_cell=hidden_cell,
        cell_detachment=cell_detachment,
        uk_mod=uk_mod,
        fr_ema=fr_ema,
        staff=staff,
        uk_office=uk_office,
        fr_office=fr_office,
        command_group=command_group,
        uk_operations=uk_operations,
        uk_intelligence=uk_intelligence,
        fr_operations=fr_operations,
        chief_of_staff=chief_of_staff,
        snlo=snlo,
        uk_intel=uk_intel,
        uk_analyst=uk_analyst,
        fr_chief=fr_chief,
        fr_officer=fr_officer,
        snlo_person=snlo_person,
        intel_person=intel_person,
        analyst_person=analyst_person,
        fr_person=fr_person,
        former_snlo=former_snlo,
        uk_area=area(session, "UK sector", office_id=uk_office, geometry=square(20, 52, 2)),
        intel_area=area(session, "Collection area", post_id=uk_intel, geometry=square(21, 53, 0.5)),
        secret_area=area(session, "Reserve sector", office_id=uk_office, label=GBR_SECRET),
        fr_area=area(session, "Secteur français", post_id=fr_officer, geometry=TRIANGLE),
    )
