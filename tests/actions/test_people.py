"""People actions: records, national clearances, languages, qualifications, assignments,
accreditations and linked accounts; every refusal names what it refuses; each write leaves
its trace, and a change of a linked user's clearance tells the credential cache."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from liaison.actions.people import (
    do_accredit,
    do_add_qualification,
    do_assign,
    do_create_person,
    do_end_assignment,
    do_link_user,
    do_set_language,
    do_set_person_clearance,
    do_update_person,
)
from liaison.domain.accounts import Principal, Role
from liaison.domain.clearances import NationalClearance
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale
from liaison.node import Node
from liaison.store.models import (
    Accreditation,
    Assignment,
    AuditEntry,
    OutboxEvent,
    Person,
    PersonLanguage,
    Qualification,
    StoredLabel,
    User,
)
from tests.conftest import UserFactory, table_rows, write
from tests.people_fixtures import (
    CHIEF,
    FRA_OFFICER,
    FRA_SECURITY,
    GBR_OFFICER,
    GBR_SECRET,
    NATO_SECRET,
    ORIGIN,
    RESTRICTED_READER,
    TODAY,
    Office,
    build_office,
    demo_gbr,
    person,
    principal,
)

Work = Callable[[Session], Any]


@pytest.fixture
def office(node: Node) -> Office:
    return build_office(node)


@pytest.fixture
def ashworth(node: Node, office: Office) -> uuid.UUID:
    """An OF-4 of the British Army, kept by the UK office (NATO RESTRICTED, releasable NATO)."""
    return write(node, lambda s: person(s, "Ashworth", office_id=office.office))


def refused(node: Node, work: Work, error: type[Exception], match: str) -> None:
    """`work` is refused with `error`, naming what is wrong, and leaves nothing behind."""
    before = len(table_rows(node, AuditEntry))
    with pytest.raises(error, match=match):
        write(node, work)
    assert len(table_rows(node, AuditEntry)) == before


def the_person(node: Node, person_id: uuid.UUID) -> dict[str, Any]:
    (row,) = table_rows(node, Person, Person.id == person_id)
    return dict(row)


def events(node: Node, kind: str) -> list[dict[str, Any]]:
    return [dict(row) for row in table_rows(node, OutboxEvent, OutboxEvent.kind == kind)]


def new_person(actor: Principal = CHIEF, **given: Any) -> Work:
    fields: dict[str, Any] = {
        "family_name": "Ashworth",
        "given_names": "Jane Mary",
        "rank_code": "OF-4",
        "rank_title": "Lieutenant Colonel",
        "service": "British Army",
        "nation": "GBR",
        "label": NATO_SECRET,
        "origin": ORIGIN,
    }
    return lambda session: do_create_person(session, actor, **(fields | given))


# --- creating and updating a person -----------------------------------------------------------


def test_a_person_is_created_normalised_under_the_office_default_label(
    node: Node, office: Office
) -> None:
    created = write(
        node,
        new_person(
            family_name="  Ashworth ",
            rank_code="of4",
            nation="gbr",
            email="jane.ashworth@mod.example",
            phone="+44 20 7218 9000",
            office_id=office.office,
            label=None,
        ),
    )
    row = the_person(node, created.id)
    assert (row["family_name"], row["rank_code"], row["nation"]) == ("Ashworth", "OF-4", "GBR")
    assert (row["email"], row["phone"]) == ("jane.ashworth@mod.example", "+44 20 7218 9000")
    assert (row["office_id"], row["version"], row["origin"]) == (office.office, 1, ORIGIN)
    (label,) = table_rows(node, StoredLabel, StoredLabel.id == row["label_id"])
    assert (label["classification"], label["canonical"]["categories"]) == (
        "RESTRICTED",
        [{"tag_set": "Releasable To", "type": "PERMISSIVE", "values": ["NATO"]}],
    )
    (entry,) = table_rows(node, AuditEntry, AuditEntry.action == "person.create")
    assert (entry["object_id"], entry["label_id"]) == (str(created.id), str(row["label_id"]))
    assert "Ashworth" not in str(dict(entry))  # names are protected: the trail holds ids
    (event,) = events(node, "person.created")
    assert event["object_id"] == str(created.id)


def test_an_explicit_label_is_used_and_a_write_up_refused(node: Node, office: Office) -> None:
    created = write(node, new_person(office_id=office.office, label=GBR_SECRET))
    (label,) = table_rows(
        node, StoredLabel, StoredLabel.id == the_person(node, created.id)["label_id"]
    )
    assert (label["classification"], label["canonical"]["categories"][0]["values"]) == (
        "SECRET",
        ["GBR"],
    )
    refused(
        node,
        new_person(actor=RESTRICTED_READER, label=NATO_SECRET),
        Invalid,
        "label above your own clearance",
    )


def test_a_person_needs_an_office_or_a_label(node: Node) -> None:
    refused(node, new_person(label=None), Invalid, "give the office that keeps the record")


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"nation": "XYZ"}, "unknown nation code 'XYZ'"),
        ({"nation": "GB"}, "unknown nation code 'GB'"),
        ({"rank_code": "OF-11"}, "rank"),
        ({"rank_code": "Colonel"}, "unknown rank code 'Colonel'"),
        ({"family_name": "   "}, "family_name is empty"),
        ({"service": "x" * 65}, "service is longer than 64 characters"),
        ({"email": "jane at mod"}, "not an e-mail address: 'jane at mod'"),
        ({"phone": "call me"}, "not a telephone number: 'call me'"),
    ],
)
def test_bad_input_is_refused_naming_it(node: Node, given: dict[str, str], match: str) -> None:
    refused(node, new_person(**given), Invalid, match)


def test_an_office_the_author_cannot_see_is_not_found(node: Node, office: Office) -> None:
    refused(node, new_person(FRA_OFFICER, office_id=uuid.uuid4()), NotFound, "no such office")


def test_an_office_whose_default_label_is_above_the_author_says_to_give_a_label(
    node: Node, office: Office
) -> None:
    # The office itself is UNCLASSIFIED; its default label is releasable to NATO, which a
    # reader cleared for GBR only may not read.
    british_only = principal("GBR", Role.OFFICER, releasable={"GBR"})
    refused(
        node,
        new_person(british_only, office_id=office.office, label=None),
        Invalid,
        "the office's default label is above your clearance: give a label",
    )


def test_guests_and_security_officers_do_not_keep_records(node: Node) -> None:
    refused(node, new_person(principal("GBR", Role.GUEST)), Forbidden, "admin or officer")
    refused(node, new_person(principal("GBR", Role.SECURITY_OFFICER)), Forbidden, "admin")


def test_an_update_changes_what_is_given_and_bumps_the_version(
    node: Node, ashworth: uuid.UUID
) -> None:
    write(
        node,
        lambda s: do_update_person(
            s, GBR_OFFICER, ashworth, expected_version=1, rank_code="OF-5", email=""
        ),
    )
    row = the_person(node, ashworth)
    assert (row["rank_code"], row["email"], row["version"]) == ("OF-5", None, 2)
    (entry,) = table_rows(node, AuditEntry, AuditEntry.action == "person.update")
    assert entry["object_id"] == str(ashworth)
    (event,) = events(node, "person.updated")
    assert event["payload"] == {"changed": ["rank_code"]}


def test_an_update_that_changes_nothing_leaves_no_trace(node: Node, ashworth: uuid.UUID) -> None:
    refused_nothing = len(table_rows(node, AuditEntry))
    write(node, lambda s: do_update_person(s, GBR_OFFICER, ashworth, nation="gbr"))
    assert len(table_rows(node, AuditEntry)) == refused_nothing
    assert the_person(node, ashworth)["version"] == 1


def test_an_update_based_on_an_old_version_is_stale(node: Node, ashworth: uuid.UUID) -> None:
    write(node, lambda s: do_update_person(s, GBR_OFFICER, ashworth, service="Royal Marines"))
    refused(
        node,
        lambda s: do_update_person(s, GBR_OFFICER, ashworth, expected_version=1, service="RAF"),
        Stale,
        "since version 1",
    )


def test_an_update_refuses_bad_input_naming_it(node: Node, ashworth: uuid.UUID) -> None:
    refused(
        node,
        lambda s: do_update_person(s, GBR_OFFICER, ashworth, rank_code="OF-0"),
        Invalid,
        "rank",
    )
    refused(
        node,
        lambda s: do_update_person(s, GBR_OFFICER, ashworth, nation="ZZZ"),
        Invalid,
        "unknown nation code 'ZZZ'",
    )


def test_a_person_the_actor_cannot_see_is_not_found_for_every_action(
    node: Node, ashworth: uuid.UUID, office: Office
) -> None:
    hidden = write(node, lambda s: person(s, "Blake", label=GBR_SECRET))
    french_security = principal("FRA", Role.SECURITY_OFFICER, Role.ADMIN, Role.OFFICER)
    for work in (
        lambda s: do_update_person(s, french_security, hidden, service="RAF"),
        lambda s: do_set_person_clearance(s, french_security, hidden, demo_gbr("SECRET")),
        lambda s: do_set_language(s, french_security, hidden, "fra", "3333"),
        lambda s: do_add_qualification(
            s, french_security, hidden, course="C", issuer="I", completed_on=TODAY, origin=ORIGIN
        ),
        lambda s: do_assign(
            s, french_security, hidden, office.clerk_post, starts_on=TODAY, origin=ORIGIN
        ),
        lambda s: do_accredit(
            s, french_security, hidden, office.hq, starts_on=TODAY, origin=ORIGIN
        ),
        lambda s: do_update_person(s, french_security, uuid.uuid4(), service="RAF"),
    ):
        refused(node, work, NotFound, "^no such person$")


# --- national clearance -----------------------------------------------------------------------


def set_clearance(actor: Principal, person_id: uuid.UUID, clearance: Any) -> Work:
    return lambda session: do_set_person_clearance(session, actor, person_id, clearance)


def test_a_security_officer_records_a_national_clearance_in_spif_names(
    node: Node, ashworth: uuid.UUID
) -> None:
    clearance = NationalClearance(
        "2.25.121033018949960220288789005061313071925.1",  # DEMO-GBR by its OID
        "SECRET",
        frozenset({"ATOMAL", "EXAMPLE"}),
        date(2024, 3, 1),
        date(2029, 2, 28),
    )
    write(node, set_clearance(CHIEF, ashworth, clearance))
    row = the_person(node, ashworth)
    assert (row["clearance_policy"], row["clearance_level"]) == ("DEMO-GBR", "SECRET")
    assert row["clearance_special"] == ["ATOMAL", "EXAMPLE"]
    assert (row["clearance_issued"], row["clearance_expires"]) == (
        date(2024, 3, 1),
        date(2029, 2, 28),
    )
    (entry,) = table_rows(node, AuditEntry, AuditEntry.action == "person.clearance")
    assert (entry["reason"], entry["object_id"]) == ("set", str(ashworth))
    assert "SECRET" not in str(dict(entry))  # the level is personal data
    write(node, set_clearance(CHIEF, ashworth, None))
    row = the_person(node, ashworth)
    assert (row["clearance_policy"], row["clearance_level"], row["clearance_special"]) == (
        None,
        None,
        [],
    )


@pytest.mark.parametrize(
    ("clearance", "match"),
    [
        (demo_gbr("COSMIC TOP SECRET"), "policy DEMO-GBR has no level 'COSMIC TOP SECRET'"),
        (demo_gbr("ULTRA"), r"no level 'ULTRA' \(it knows OFFICIAL, SECRET, TOP SECRET\)"),
        (demo_gbr("SECRET", "BOHEMIA"), "policy DEMO-GBR has no special category 'BOHEMIA'"),
        (NationalClearance("MARS", "SECRET"), "unknown policy 'MARS'"),
        (
            demo_gbr("SECRET", issued=date(2026, 1, 1), expires=date(2025, 1, 1)),
            r"expires \(2025-01-01\) before it is issued \(2026-01-01\)",
        ),
    ],
)
def test_a_clearance_the_policy_does_not_know_is_refused_naming_it(
    node: Node, ashworth: uuid.UUID, clearance: NationalClearance, match: str
) -> None:
    refused(node, set_clearance(CHIEF, ashworth, clearance), Invalid, match)


def test_only_security_officers_set_clearances(node: Node, ashworth: uuid.UUID) -> None:
    refused(
        node,
        set_clearance(GBR_OFFICER, ashworth, demo_gbr("SECRET")),
        Forbidden,
        "security_officer",
    )


def test_a_clearance_change_tells_the_cache_about_the_linked_user_only(
    node: Node, ashworth: uuid.UUID, make_user: UserFactory
) -> None:
    write(node, set_clearance(CHIEF, ashworth, demo_gbr("SECRET")))
    assert events(node, "user.updated") == []  # nobody is linked yet
    jane = make_user("jane")
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, ashworth))
    (linked,) = events(node, "user.updated")
    assert linked["object_id"] == str(jane.id)
    write(node, set_clearance(CHIEF, ashworth, demo_gbr("TOP SECRET")))
    write(node, lambda s: do_update_person(s, GBR_OFFICER, ashworth, nation="FRA"))
    write(node, lambda s: do_update_person(s, GBR_OFFICER, ashworth, service="Royal Navy"))
    updates = events(node, "user.updated")
    assert [e["object_id"] for e in updates] == [str(jane.id)] * 3  # link, clearance, nation
    assert [e["payload"]["changed"] for e in updates[1:]] == [["clearance"], ["clearance"]]


# --- languages and qualifications -------------------------------------------------------------


def test_a_language_is_recorded_normalised_replaced_and_removed(
    node: Node, ashworth: uuid.UUID
) -> None:
    write(node, lambda s: do_set_language(s, GBR_OFFICER, ashworth, "fr", "3+332"))
    assert [(r["language"], r["profile"]) for r in table_rows(node, PersonLanguage)] == [
        ("fra", "3+/3/3/2")
    ]
    write(node, lambda s: do_set_language(s, GBR_OFFICER, ashworth, "fre", "4/4/3+/3"))
    assert [r["profile"] for r in table_rows(node, PersonLanguage)] == ["4/4/3+/3"]
    write(node, lambda s: do_set_language(s, GBR_OFFICER, ashworth, "fra", None))
    assert table_rows(node, PersonLanguage) == []
    assert len(events(node, "person.updated")) == 3
    refused(
        node,
        lambda s: do_set_language(s, GBR_OFFICER, ashworth, "fra", None),
        NotFound,
        "no language fra recorded",
    )


@pytest.mark.parametrize(
    ("language", "profile", "match"),
    [
        ("fra", "6/3/3/3", "not a STANAG 6001 profile '6/3/3/3'"),
        ("fra", "5+/3/3/3", "no STANAG 6001 level 5"),
        ("fra", "3/3/3", "not a STANAG 6001 profile '3/3/3'"),
        ("xx", "3333", "unknown language code 'xx'"),
        ("klingon", "3333", "unknown language code 'klingon'"),
    ],
)
def test_impossible_language_levels_are_refused_naming_them(
    node: Node, ashworth: uuid.UUID, language: str, profile: str, match: str
) -> None:
    refused(
        node,
        lambda s: do_set_language(s, GBR_OFFICER, ashworth, language, profile),
        Invalid,
        match,
    )


def test_a_qualification_is_added_and_cannot_expire_before_completion(
    node: Node, ashworth: uuid.UUID
) -> None:
    def add(completed: date, expires: date | None) -> Work:
        return lambda s: do_add_qualification(
            s,
            GBR_OFFICER,
            ashworth,
            course=" NATO Staff Officer Course ",
            issuer="NATO School Oberammergau",
            completed_on=completed,
            expires_on=expires,
            origin=ORIGIN,
        )

    write(node, add(date(2024, 5, 10), date(2029, 5, 9)))
    write(node, add(date(2024, 5, 10), None))
    rows = table_rows(node, Qualification)
    assert [(r["course"], r["expires_on"]) for r in rows] == [
        ("NATO Staff Officer Course", date(2029, 5, 9)),
        ("NATO Staff Officer Course", None),
    ]
    refused(
        node,
        add(date(2024, 5, 10), date(2024, 5, 9)),
        Invalid,
        r"expires \(2024-05-09\) before it was completed \(2024-05-10\)",
    )


# --- assignments ------------------------------------------------------------------------------


def assign(
    person_id: uuid.UUID,
    post_id: uuid.UUID,
    starts: date,
    ends: date | None = None,
    **given: Any,
) -> Work:
    return lambda s: do_assign(
        s, GBR_OFFICER, person_id, post_id, starts_on=starts, ends_on=ends, origin=ORIGIN, **given
    )


def test_overlapping_assignments_to_one_post_are_refused_naming_the_dates(
    node: Node, office: Office, ashworth: uuid.UUID
) -> None:
    blake = write(node, lambda s: person(s, "Blake", office_id=office.office))
    write(node, assign(ashworth, office.liaison_post, date(2025, 1, 1), date(2026, 6, 30)))
    refused(
        node,
        assign(blake, office.liaison_post, date(2026, 6, 1)),
        Conflict,
        "overlapping assignment: the post is already held from 2025-01-01 until 2026-06-30",
    )
    refused(
        node,
        assign(blake, office.liaison_post, date(2024, 1, 1), date(2025, 1, 1)),
        Conflict,
        "already held from 2025-01-01",
    )
    handover = write(node, assign(blake, office.liaison_post, date(2026, 7, 1)))
    assert (handover.starts_on, handover.ends_on) == (date(2026, 7, 1), None)
    refused(
        node,
        assign(ashworth, office.liaison_post, date(2030, 1, 1), date(2030, 2, 1)),
        Conflict,
        "already held from 2026-07-01 until open-ended",
    )
    assert len(table_rows(node, Assignment)) == 2


def test_a_person_holds_one_post_at_a_time_unless_dual_hatted(
    node: Node, office: Office, ashworth: uuid.UUID
) -> None:
    write(node, assign(ashworth, office.liaison_post, date(2025, 1, 1)))
    refused(
        node,
        assign(ashworth, office.clerk_post, date(2026, 1, 1), date(2026, 3, 31)),
        Conflict,
        "the person holds another post from 2025-01-01 until open-ended",
    )
    write(
        node,
        assign(ashworth, office.clerk_post, date(2026, 1, 1), date(2026, 3, 31), dual_hatted=True),
    )
    (entry,) = [
        r
        for r in table_rows(node, AuditEntry, AuditEntry.action == "person.assign")
        if "dual-hatted" in r["reason"]
    ]
    assert entry["object_id"] == str(ashworth)


def test_an_assignment_ending_before_it_starts_is_refused(
    node: Node, office: Office, ashworth: uuid.UUID
) -> None:
    refused(
        node,
        assign(ashworth, office.liaison_post, date(2026, 1, 1), date(2025, 12, 31)),
        Invalid,
        r"ends \(2025-12-31\) before it starts \(2026-01-01\)",
    )


def test_an_assignment_is_ended_and_cannot_be_stretched_into_an_overlap(
    node: Node, office: Office, ashworth: uuid.UUID
) -> None:
    blake = write(node, lambda s: person(s, "Blake", office_id=office.office))
    first = write(node, assign(ashworth, office.liaison_post, date(2025, 1, 1)))
    refused(
        node,
        assign(blake, office.liaison_post, date(2026, 1, 1)),
        Conflict,
        "already held from 2025-01-01 until open-ended",
    )
    write(node, lambda s: do_end_assignment(s, GBR_OFFICER, first.id, date(2025, 12, 31)))
    write(node, assign(blake, office.liaison_post, date(2026, 1, 1)))
    refused(
        node,
        lambda s: do_end_assignment(s, GBR_OFFICER, first.id, date(2026, 1, 31)),
        Conflict,
        "already held from 2026-01-01",
    )
    refused(
        node,
        lambda s: do_end_assignment(s, GBR_OFFICER, first.id, date(2024, 12, 31)),
        Invalid,
        "before it starts",
    )
    (row,) = table_rows(node, Assignment, Assignment.id == first.id)
    assert (row["ends_on"], row["version"]) == (date(2025, 12, 31), 2)


def test_assignments_the_actor_cannot_see_are_not_found(
    node: Node, office: Office, ashworth: uuid.UUID
) -> None:
    hidden = write(node, lambda s: person(s, "Blake", label=GBR_SECRET))
    held = write(node, assign(hidden, office.clerk_post, date(2025, 1, 1)))
    french = principal("FRA", Role.OFFICER, releasable={"FRA", "NATO"})
    for work in (
        lambda s: do_end_assignment(s, french, held.id, date(2025, 6, 1)),
        lambda s: do_end_assignment(s, french, uuid.uuid4(), date(2025, 6, 1)),
    ):
        refused(node, work, NotFound, "^no such assignment$")
    refused(
        node,
        lambda s: do_assign(
            s, french, ashworth, office.secret_post, starts_on=TODAY, origin=ORIGIN
        ),
        NotFound,
        "^no such post$",
    )


# --- accreditations ---------------------------------------------------------------------------


def test_a_person_is_accredited_once_at_a_time_to_a_host(
    node: Node, office: Office, ashworth: uuid.UUID
) -> None:
    def accredit(host: uuid.UUID, starts: date, ends: date | None = None) -> Work:
        return lambda s: do_accredit(
            s, GBR_OFFICER, ashworth, host, starts_on=starts, ends_on=ends, origin=ORIGIN
        )

    write(node, accredit(office.hq, date(2025, 1, 1), date(2027, 12, 31)))
    refused(
        node,
        accredit(office.hq, date(2027, 6, 1)),
        Conflict,
        "already accredited to that organization from 2025-01-01 until 2027-12-31",
    )
    write(node, accredit(office.uk_mod, date(2025, 1, 1)))
    write(node, accredit(office.hq, date(2028, 1, 1)))
    assert len(table_rows(node, Accreditation)) == 3
    refused(node, accredit(uuid.uuid4(), TODAY), NotFound, "^no such host organization$")


# --- users are people -------------------------------------------------------------------------


def test_an_administrator_links_one_user_to_one_person(
    node: Node, office: Office, ashworth: uuid.UUID, make_user: UserFactory
) -> None:
    jane, john = make_user("jane"), make_user("john")
    blake = write(node, lambda s: person(s, "Blake", office_id=office.office))
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, ashworth))
    (row,) = table_rows(node, User, User.id == jane.id)
    assert row["person_id"] == ashworth
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, ashworth))  # again: nothing to do
    assert len(events(node, "user.updated")) == 1
    refused(
        node,
        lambda s: do_link_user(s, CHIEF, john.id, ashworth),
        Conflict,
        "that person is already linked to user 'jane'",
    )
    refused(
        node,
        lambda s: do_link_user(s, CHIEF, jane.id, blake),
        Conflict,
        "user 'jane' is already linked to a person: unlink first",
    )
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, None))
    write(node, lambda s: do_link_user(s, CHIEF, john.id, ashworth))
    assert [e["object_id"] for e in events(node, "user.updated")] == [
        str(jane.id),
        str(jane.id),
        str(john.id),
    ]
    assert [
        r["reason"] for r in table_rows(node, AuditEntry, AuditEntry.action == "user.link_person")
    ] == [
        f"person {ashworth}",
        "unlinked",
        f"person {ashworth}",
    ]


def test_linking_needs_an_administrator_a_user_and_a_visible_person(
    node: Node, ashworth: uuid.UUID, make_user: UserFactory
) -> None:
    jane = make_user("jane")
    hidden = write(node, lambda s: person(s, "Blake", label=GBR_SECRET))
    refused(node, lambda s: do_link_user(s, GBR_OFFICER, jane.id, ashworth), Forbidden, "admin")
    refused(node, lambda s: do_link_user(s, CHIEF, uuid.uuid4(), ashworth), NotFound, "user")
    refused(
        node, lambda s: do_link_user(s, FRA_SECURITY, jane.id, hidden), NotFound, "no such person"
    )
