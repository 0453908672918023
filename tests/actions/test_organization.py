"""Organization actions: each happy path, each refusal, and cycles along every line."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from liaison.actions.organization import (
    do_move_organization,
    do_set_superiors,
)
from liaison.actions.policies import prepare_label
from liaison.domain.accounts import Role
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale
from liaison.node import Node
from liaison.security import Label
from liaison.store.models import (
    Alliance,
    AllianceMember,
    Area,
    AuditEntry,
    Department,
    Office,
    Organization,
    OutboxEvent,
    Post,
    StoredLabel,
)
from liaison.store.models.base import Base
from tests.conftest import table_rows, write
from tests.org_fixtures import (
    ADMIN,
    FRA_ADMIN,
    FRA_OFFICER,
    GBR_OFFICER,
    GBR_SECRET,
    NATO_RESTRICTED,
    UNCLASSIFIED,
    UNCLEARED,
    Corps,
    alliance,
    area,
    build_corps,
    department,
    nato,
    office,
    organization,
    post,
    principal,
    square,
)

GUEST = principal("GBR", Role.GUEST)
# Cleared for NATO SECRET releasable to GBR only, but no more: may not label for FRA or NATO.
GBR_ONLY_ADMIN = principal("GBR", Role.ADMIN, Role.OFFICER, releasable={"GBR"})


@pytest.fixture
def corps(node: Node) -> Corps:
    return build_corps(node)


def refused(node: Node, work: Callable[[Session], object], error: type[Exception]) -> str:
    """Run `work` in a unit of work, expect `error`, and return its message."""
    with pytest.raises(error) as caught:
        write(node, work)
    return str(caught.value)


def row(node: Node, model: type[Base], record_id: uuid.UUID) -> RowMapping:
    (found,) = table_rows(node, model, model.__table__.c.id == record_id)
    return found


def canonical_of(node: Node, label_id: int | str) -> dict[str, Any]:
    """The canonical form of a stored label, by its id."""
    (found,) = table_rows(node, StoredLabel, StoredLabel.id == int(label_id))
    return dict(found["canonical"])


def canonical(node: Node, label: Label) -> dict[str, Any]:
    """The canonical form `label` is stored in."""
    return dict(write(node, lambda s: prepare_label(s, ADMIN, label).canonical))


def last_trace(node: Node) -> tuple[RowMapping, RowMapping]:
    return table_rows(node, AuditEntry)[-1], table_rows(node, OutboxEvent)[-1]


# --- alliances --------------------------------------------------------------------------------


def test_an_alliance_is_created_with_its_members_and_its_trace(node: Node) -> None:
    members = [
        ("gbr", date(1949, 4, 4), None),
        ("FRA", date(1949, 4, 4), date(1966, 7, 1)),
        ("FRA", date(2009, 4, 4), None),
    ]
    alliance_id = write(
        node, lambda s: alliance(s, kind="alliance", policy="1.3.26.1.3.1", members=members)
    )
    assert row(node, Alliance, alliance_id)["policy"] == "NATO"  # its name, given its id
    stored = [(m["nation"], m["joined_on"], m["left_on"]) for m in table_rows(node, AllianceMember)]
    assert sorted(stored) == [
        ("FRA", date(1949, 4, 4), date(1966, 7, 1)),
        ("FRA", date(2009, 4, 4), None),
        ("GBR", date(1949, 4, 4), None),
    ]
    audit, event = last_trace(node)
    assert (audit["action"], audit["object_id"]) == ("alliance.create", str(alliance_id))
    assert canonical_of(node, audit["label_id"]) == canonical(node, UNCLASSIFIED)
    assert (event["kind"], event["label_id"], event["payload"]) == (
        "alliance.created",
        audit["label_id"],
        {"kind": "alliance"},
    )


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"kind": "crusade"}, "unknown kind 'crusade'"),
        ({"policy": "WARSAW-PACT"}, "unknown policy 'WARSAW-PACT'"),
        ({"name": "  "}, "name is empty"),
        ({"name": "N" * 201}, "name is longer than 200 characters"),
        ({"members": [("XYZ", date(2020, 1, 1), None)]}, "unknown nation code 'XYZ'"),
        (
            {"members": [("GBR", date(2020, 1, 1), date(2019, 1, 1))]},
            "GBR cannot leave on 2019-01-01 before joining on 2020-01-01",
        ),
        (
            {
                "members": [
                    ("POL", date(1999, 3, 12), None),
                    ("POL", date(2004, 1, 1), date(2005, 1, 1)),
                ]
            },
            "POL's memberships from 1999-03-12 and from 2004-01-01 overlap",
        ),
    ],
)
def test_bad_alliances_are_refused_naming_the_input(
    node: Node, given: dict[str, Any], named: str
) -> None:
    assert named in refused(node, lambda s: alliance(s, **given), Invalid)
    assert not table_rows(node, Alliance)
    assert not table_rows(node, AuditEntry)


def test_an_alliance_needs_an_admin_a_free_name_and_a_label_its_author_can_read(
    node: Node,
) -> None:
    refused(node, lambda s: alliance(s, actor=GBR_OFFICER), Forbidden)
    write(node, alliance)
    assert "already exists" in refused(node, alliance, Conflict)
    message = refused(
        node, lambda s: alliance(s, name="Y", actor=GBR_ONLY_ADMIN, label=NATO_RESTRICTED), Invalid
    )
    assert "above your own clearance" in message


# --- organizations ----------------------------------------------------------------------------


def test_an_organization_is_located_by_mgrs_or_coordinates_in_its_time_zone(node: Node) -> None:
    by_grid = write(
        node,
        lambda s: organization(
            s, "Corps", location="34U EC 00682 86620", time_zone="europe/warsaw"
        ),
    )
    by_degrees = write(
        node,
        lambda s: organization(
            s, "Ministère", kind="ministry", nation="fra", location=(48.85, 2.29)
        ),
    )
    grid = row(node, Organization, by_grid)
    assert (round(grid["latitude"], 2), round(grid["longitude"], 2), grid["time_zone"]) == (
        52.23,
        21.01,
        "Europe/Warsaw",
    )
    degrees = row(node, Organization, by_degrees)
    assert (degrees["nation"], degrees["latitude"], degrees["longitude"]) == ("FRA", 48.85, 2.29)
    assert (grid["nation"], grid["parent_id"]) == (None, None)  # international, at the top
    audit, event = last_trace(node)
    assert (audit["action"], event["kind"]) == ("organization.create", "organization.created")


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"kind": "militia"}, "unknown kind 'militia'"),
        ({"nation": "UK"}, "unknown nation code 'UK'"),
        ({"location": "99Z ZZ 123"}, "not an MGRS grid reference '99Z ZZ 123'"),
        ({"location": (91.0, 0.0)}, "latitude 91.0 is outside -90 to 90"),
        ({"time_zone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
    ],
)
def test_bad_organizations_are_refused_naming_the_input(
    node: Node, given: dict[str, Any], named: str
) -> None:
    assert named in refused(node, lambda s: organization(s, "Unit", **given), Invalid)
    assert not table_rows(node, Organization)


def test_organizations_are_an_admins_and_refer_only_to_what_they_can_see(
    node: Node, corps: Corps
) -> None:
    refused(node, lambda s: organization(s, "Unit", actor=GBR_OFFICER), Forbidden)
    for hidden in (corps.hidden_cell, uuid.uuid4()):
        message = refused(node, under(hidden, FRA_ADMIN), NotFound)
        assert message == "no such parent organization"
    child = write(node, under(corps.hidden_cell, ADMIN))
    assert row(node, Organization, child)["parent_id"] == corps.hidden_cell


def under(parent: uuid.UUID, actor: Any) -> Any:
    return lambda s: organization(s, "Unit", actor=actor, parent_id=parent)


def move(actor: Any, organization_id: uuid.UUID, parent: uuid.UUID | None, **given: Any) -> Any:
    return lambda s: do_move_organization(s, actor, organization_id, parent, **given)


def test_an_organization_moves_under_another_or_to_the_top(node: Node, corps: Corps) -> None:
    write(node, move(ADMIN, corps.command_post, corps.uk_mod, expected_version=1))
    assert row(node, Organization, corps.command_post)["parent_id"] == corps.uk_mod
    write(node, move(ADMIN, corps.command_post, None))
    moved = row(node, Organization, corps.command_post)
    assert (moved["parent_id"], moved["version"]) == (None, 3)
    audit, event = last_trace(node)
    assert (audit["action"], event["kind"]) == ("organization.move", "organization.moved")


def test_a_cycle_in_the_organization_tree_is_refused_naming_both(node: Node, corps: Corps) -> None:
    message = refused(node, move(ADMIN, corps.hq, corps.cell_detachment), Invalid)
    assert message == (
        "cycle: 'Multinational Corps North-East' cannot move under 'Cell Detachment', "
        "which is already below it"
    )
    message = refused(node, move(ADMIN, corps.hq, corps.hq), Invalid)
    assert message == "cycle: 'Multinational Corps North-East' cannot move under itself"
    assert row(node, Organization, corps.hq)["parent_id"] is None


def test_moving_refuses_stale_versions_hidden_records_and_officers(
    node: Node, corps: Corps
) -> None:
    refused(node, move(ADMIN, corps.command_post, corps.uk_mod, expected_version=7), Stale)
    refused(node, move(FRA_ADMIN, corps.command_post, corps.hidden_cell), NotFound)
    refused(node, move(FRA_ADMIN, corps.hidden_cell, None), NotFound)
    refused(node, move(GBR_OFFICER, corps.command_post, None), Forbidden)


def test_concurrent_moves_cannot_close_a_cycle_between_them(node: Node, corps: Corps) -> None:
    """The first move holds its rows until it commits; the second then sees it and refuses."""
    first_moved = threading.Event()
    release = threading.Event()
    outcome: list[BaseException | None] = []

    def first() -> None:
        with node.db.writing() as session:
            do_move_organization(session, ADMIN, corps.uk_mod, corps.fr_ema)
            first_moved.set()
            release.wait(10)

    def second() -> None:
        try:
            write(node, move(ADMIN, corps.fr_ema, corps.uk_mod))
            outcome.append(None)
        except Invalid as error:
            outcome.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_moved.wait(10)
    threads[1].start()
    time.sleep(0.3)  # the second is now waiting on the first's locks
    assert not outcome
    release.set()
    for thread in threads:
        thread.join(15)
    assert "cycle" in str(outcome[0])
    assert row(node, Organization, corps.fr_ema)["parent_id"] is None


# --- offices and departments ------------------------------------------------------------------


def test_an_office_takes_its_own_label_as_default_unless_given_one(
    node: Node, corps: Corps
) -> None:
    staff = row(node, Office, corps.staff)
    assert staff["default_label_id"] == staff["label_id"]
    uk = row(node, Office, corps.uk_office)
    assert canonical_of(node, uk["default_label_id"]) == canonical(node, NATO_RESTRICTED)
    located = write(
        node,
        lambda s: office(
            s, "Bureau", corps.fr_ema, corps.hq, location=(52.2, 21.0), time_zone="Europe/Warsaw"
        ),
    )
    assert (row(node, Office, located)["latitude"], row(node, Office, located)["time_zone"]) == (
        52.2,
        "Europe/Warsaw",
    )


def test_bad_offices_are_refused(node: Node, corps: Corps) -> None:
    same = refused(node, lambda s: office(s, "Self", corps.hq, corps.hq), Invalid)
    assert same == "an office's sending and host organizations must differ"
    hidden = refused(
        node, lambda s: office(s, "X", corps.fr_ema, corps.hidden_cell, actor=FRA_ADMIN), NotFound
    )
    assert hidden == "no such host organization"
    refused(node, lambda s: office(s, "X", corps.fr_ema, corps.hq, actor=GBR_OFFICER), Forbidden)
    above = refused(
        node,
        lambda s: office(s, "X", corps.fr_ema, corps.hq, actor=FRA_ADMIN, default_label=GBR_SECRET),
        Invalid,
    )
    assert "above your own clearance" in above


def test_officers_add_departments_with_unique_names_to_offices_they_can_see(
    node: Node, corps: Corps
) -> None:
    logistics = write(node, lambda s: department(s, corps.fr_office, " Logistique ", FRA_OFFICER))
    assert row(node, Department, logistics)["name"] == "Logistique"
    audit, event = last_trace(node)
    assert (audit["action"], event["payload"]) == (
        "department.create",
        {"office_id": str(corps.fr_office)},
    )
    assert audit["label_id"] == str(row(node, Office, corps.fr_office)["label_id"])
    taken = refused(node, lambda s: department(s, corps.fr_office, "Logistique"), Conflict)
    assert taken == "the office already has a department named 'Logistique'"
    refused(node, lambda s: department(s, corps.fr_office, "Cuisine", GUEST), Forbidden)
    refused(node, lambda s: department(s, corps.fr_office, "Cuisine", UNCLEARED), NotFound)


def test_a_department_of_a_hidden_office_cannot_be_added(node: Node, corps: Corps) -> None:
    secret_office = write(
        node, lambda s: office(s, "Hidden", corps.uk_mod, corps.hq, label=GBR_SECRET)
    )
    message = refused(node, lambda s: department(s, secret_office, "Ops", FRA_OFFICER), NotFound)
    assert message == "no such office"


# --- posts ------------------------------------------------------------------------------------


def test_a_post_records_what_its_holder_needs(node: Node, corps: Corps) -> None:
    liaison = write(
        node,
        lambda s: post(
            s,
            corps.uk_operations,
            "Liaison Officer (Land)",
            actor=GBR_OFFICER,
            rank_min="of3",
            rank_max="OF4",
            required_clearance=nato("SECRET", "NATO"),
            required_languages=[("fr", "3+332"), ("pol", "2/2/1+/1")],
            required_qualifications=[" Staff course ", "LO course", "Staff course"],
        ),
    )
    stored = row(node, Post, liaison)
    assert (stored["rank_min"], stored["rank_max"]) == ("OF-3", "OF-4")
    assert stored["required_languages"] == [
        {"language": "fra", "minimum": "3+/3/3/2"},
        {"language": "pol", "minimum": "2/2/1+/1"},
    ]
    assert stored["required_qualifications"] == ["Staff course", "LO course"]
    assert canonical_of(node, stored["required_label_id"]) == canonical(
        node, nato("SECRET", "NATO")
    )
    # No label given: the office's default (NATO RESTRICTED), not the office's own.
    assert canonical_of(node, stored["label_id"]) == canonical(node, NATO_RESTRICTED)
    audit, event = last_trace(node)
    assert (audit["action"], event["kind"], event["payload"]) == (
        "post.create",
        "post.created",
        {"department_id": str(corps.uk_operations)},
    )


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"rank_min": "OF-11"}, "unknown rank code 'OF-11'"),
        ({"rank_max": "General"}, "unknown rank code 'General'"),
        ({"rank_min": "OF-5", "rank_max": "OF-3"}, "rank range OF-5 to OF-3 is upside down"),
        ({"required_languages": [("fra", "6/3/3/3")]}, "not a STANAG 6001 profile '6/3/3/3'"),
        ({"required_languages": [("fra", "5+/3/3/3")]}, "no STANAG 6001 level 5+"),
        ({"required_languages": [("klingon", "3333")]}, "unknown language code 'klingon'"),
        ({"required_languages": [("fr", "3333"), ("fra", "2222")]}, "fra is required twice"),
        ({"required_qualifications": ["Staff course", " "]}, "has no name"),
        ({"title": ""}, "title is empty"),
    ],
)
def test_bad_posts_are_refused_naming_the_input(
    node: Node, corps: Corps, given: dict[str, Any], named: str
) -> None:
    title = given.pop("title", "LO")
    message = refused(node, lambda s: post(s, corps.uk_operations, title, **given), Invalid)
    assert named in message


def test_a_post_refers_only_to_what_its_author_can_see(node: Node, corps: Corps) -> None:
    hidden_superior = refused(
        node,
        lambda s: post(
            s, corps.fr_operations, "LO", FRA_OFFICER, national_superior_id=corps.uk_intel
        ),
        NotFound,
    )
    assert hidden_superior == "no such national superior post"
    secret_office = write(
        node, lambda s: office(s, "Hidden", corps.uk_mod, corps.hq, label=GBR_SECRET)
    )
    secret_department = write(node, lambda s: department(s, secret_office, "Ops"))
    hidden_department = refused(
        node, lambda s: post(s, secret_department, "LO", FRA_OFFICER), NotFound
    )
    assert hidden_department == "no such department"
    refused(node, lambda s: post(s, corps.fr_operations, "LO", GUEST), Forbidden)


def test_a_post_never_gets_a_label_its_author_could_not_read(node: Node, corps: Corps) -> None:
    secret_default = write(
        node,
        lambda s: office(s, "Secret", corps.uk_mod, corps.hq, default_label=GBR_SECRET),
    )
    operations = write(node, lambda s: department(s, secret_default, "Ops", FRA_OFFICER))
    message = refused(node, lambda s: post(s, operations, "LO", FRA_OFFICER), Invalid)
    assert message == "the office's default label is above your clearance: give a label"
    write(node, lambda s: post(s, operations, "LO", FRA_OFFICER, label=NATO_RESTRICTED))
    required = refused(
        node,
        lambda s: post(
            s, operations, "LO", FRA_OFFICER, label=NATO_RESTRICTED, required_clearance=GBR_SECRET
        ),
        Invalid,
    )
    assert "above your own clearance" in required


def superiors(actor: Any, post_id: uuid.UUID, **given: Any) -> Any:
    lines = {"alliance_superior_id": None, "national_superior_id": None} | given
    return lambda s: do_set_superiors(s, actor, post_id, **lines)


def test_superiors_are_set_on_both_lines(node: Node, corps: Corps) -> None:
    write(
        node,
        superiors(
            FRA_OFFICER,
            corps.fr_chief,
            alliance_superior_id=corps.chief_of_staff,
            national_superior_id=corps.snlo,
            expected_version=1,
        ),
    )
    chief = row(node, Post, corps.fr_chief)
    assert (chief["alliance_superior_id"], chief["national_superior_id"]) == (
        corps.chief_of_staff,
        corps.snlo,
    )
    write(node, superiors(FRA_OFFICER, corps.fr_chief))
    chief = row(node, Post, corps.fr_chief)
    assert (chief["alliance_superior_id"], chief["national_superior_id"]) == (None, None)
    audit, event = last_trace(node)
    assert (audit["action"], event["kind"]) == ("post.set_superiors", "post.updated")


@pytest.mark.parametrize("line", ["alliance", "national"])
def test_a_cycle_on_either_reporting_line_is_refused_naming_both_posts(
    node: Node, corps: Corps, line: str
) -> None:
    # The analyst reports (alliance) to the SNLO, who reports to the chief of staff; nationally
    # the analyst reports to the intelligence LO, who reports to the SNLO.
    top = corps.chief_of_staff if line == "alliance" else corps.snlo
    message = refused(
        node, superiors(ADMIN, top, **{f"{line}_superior_id": corps.uk_analyst}), Invalid
    )
    name = "Chief of Staff" if line == "alliance" else "Senior National Liaison Officer"
    assert message == (
        f"cycle in the {line} line: '{name}' cannot report to 'Intelligence Analyst', "
        "which is already below it"
    )
    itself = refused(
        node,
        superiors(ADMIN, corps.uk_analyst, **{f"{line}_superior_id": corps.uk_analyst}),
        Invalid,
    )
    assert itself == f"cycle in the {line} line: 'Intelligence Analyst' cannot report to itself"


def test_setting_superiors_refuses_stale_versions_and_hidden_posts(
    node: Node, corps: Corps
) -> None:
    refused(node, superiors(ADMIN, corps.fr_chief, expected_version=9), Stale)
    hidden = refused(
        node, superiors(FRA_OFFICER, corps.fr_chief, national_superior_id=corps.uk_intel), NotFound
    )
    assert hidden == "no such national superior post"
    refused(node, superiors(FRA_OFFICER, corps.uk_intel), NotFound)
    refused(node, superiors(GUEST, corps.fr_chief), Forbidden)


# --- areas ------------------------------------------------------------------------------------


def test_an_area_stores_its_shape_and_bounding_box(node: Node, corps: Corps) -> None:
    created = write(
        node,
        lambda s: area(s, "North", GBR_OFFICER, post_id=corps.snlo, geometry=square(19, 50, 1.5)),
    )
    stored = row(node, Area, created)
    assert (
        stored["min_longitude"],
        stored["min_latitude"],
        stored["max_longitude"],
        stored["max_latitude"],
    ) == (19, 50, 20.5, 51.5)
    assert stored["geometry"]["type"] == "Polygon"
    # The post's office's default label, as for posts.
    assert canonical_of(node, stored["label_id"]) == canonical(node, NATO_RESTRICTED)
    audit, event = last_trace(node)
    assert (audit["action"], event["kind"]) == ("area.create", "area.created")


@pytest.mark.parametrize(
    ("given", "error", "named"),
    [
        ({}, Invalid, "give exactly one"),
        ({"office_id": "uk", "post_id": "snlo"}, Invalid, "give exactly one"),
        (
            {"office_id": "uk", "geometry": {"type": "Point", "coordinates": [20, 52]}},
            Invalid,
            "not 'Point'",
        ),
        (
            {
                "office_id": "uk",
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            },
            Invalid,
            "area ring is not closed",
        ),
        ({"post_id": "intel"}, NotFound, "no such post"),
    ],
)
def test_bad_areas_are_refused(
    node: Node, corps: Corps, given: dict[str, Any], error: type[Exception], named: str
) -> None:
    ids = {"uk": corps.uk_office, "snlo": corps.snlo, "intel": corps.uk_intel}
    given = {
        key: ids.get(value, value) if key.endswith("_id") else value for key, value in given.items()
    }
    assert named in refused(node, lambda s: area(s, "Sector", FRA_OFFICER, **given), error)
