"""Organization queries: charts, chains of command, liaison officers, vacancies, who covers a
point; and, for each, a reader who may not see some records gets no trace of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from liaison.domain.accounts import Principal
from liaison.domain.errors import Invalid, NotFound
from liaison.domain.geo import Position
from liaison.node import Node
from liaison.queries.organization import (
    Coverage,
    LiaisonOfficer,
    OfficeNode,
    OrganizationNode,
    OrgChart,
    chain_of_command,
    escalation_path,
    get_alliance,
    get_area,
    get_office,
    get_organization,
    get_post,
    liaison_officer,
    org_chart,
    vacancies,
    who_covers,
)
from tests.org_fixtures import (
    FRA_OFFICER,
    GBR_OFFICER,
    TODAY,
    UNCLEARED,
    Corps,
    build_corps,
)


@pytest.fixture
def corps(node: Node) -> Corps:
    return build_corps(node)


@pytest.fixture
def read(node: Node) -> Callable[..., Any]:
    """`read(query, viewer, *args, then=f)`: `f` of the answer, in the query's unit of work
    (records are not readable after it ends)."""

    def call(
        query: Callable[..., Any],
        viewer: Principal,
        *args: Any,
        then: Callable[[Any], Any] = lambda answer: answer,
        **kwargs: Any,
    ) -> Any:
        with node.db.reading() as session:
            return then(query(session, viewer, *args, **kwargs))

    return call


def outline(chart: OrgChart) -> list[Any]:
    """A chart as nested names: organizations, offices, departments, posts (holder id)."""
    return [_organization(o) for o in chart.organizations] + [_office(o) for o in chart.offices]


def _organization(node: OrganizationNode) -> Any:
    inside = [_office(o) for o in node.offices] + [_organization(c) for c in node.children]
    return (node.name, inside) if inside else node.name


def _office(node: OfficeNode) -> Any:
    return (
        node.name,
        [(d.name, [(p.title, p.holder_id) for p in d.posts]) for d in node.departments],
    )


def chart_ids(chart: OrgChart) -> set[uuid.UUID]:
    """Every id a chart shows, holders included."""
    found: set[uuid.UUID] = set()

    def office(node: OfficeNode) -> None:
        found.update({node.id, node.sending_org_id, node.host_org_id})
        for department in node.departments:
            found.add(department.id)
            for post in department.posts:
                found.add(post.id)
                found.update({post.holder_id} if post.holder_id else set())

    def organization(node: OrganizationNode) -> None:
        found.add(node.id)
        for each in node.offices:
            office(each)
        for child in node.children:
            organization(child)

    for each in chart.organizations:
        organization(each)
    for each in chart.offices:
        office(each)
    return found


def titles(posts: list[Any]) -> list[str]:
    return [post.title for post in posts]


def hidden_ids(corps: Corps) -> set[uuid.UUID]:
    """What FRA readers must never see a trace of."""
    return {
        corps.hidden_cell,
        corps.cell_detachment,  # visible itself, but only reachable through the hidden cell
        corps.uk_intel,
        corps.intel_person,
        corps.analyst_person,
    }


# --- single records ---------------------------------------------------------------------------


def test_records_are_found_by_those_who_may_see_them(
    read: Callable[..., Any], corps: Corps
) -> None:
    def name(record: Any) -> str:
        return str(getattr(record, "name", None) or record.title)

    assert read(get_alliance, FRA_OFFICER, corps.exercise, then=name) == "Exercise Steadfast Quill"
    assert (
        read(get_organization, FRA_OFFICER, corps.hq, then=name) == "Multinational Corps North-East"
    )
    assert read(get_office, FRA_OFFICER, corps.uk_office, then=name) == "UK Liaison Office"
    assert read(get_post, FRA_OFFICER, corps.snlo, then=name) == "Senior National Liaison Officer"
    assert read(get_area, FRA_OFFICER, corps.uk_area, then=name) == "UK sector"
    assert read(get_post, GBR_OFFICER, corps.uk_intel, then=name) == "Intelligence Liaison Officer"


@pytest.mark.parametrize(
    ("query", "record"),
    [
        (get_organization, "hidden_cell"),
        (get_post, "uk_intel"),
        (get_area, "secret_area"),
        (get_organization, "missing"),
    ],
)
def test_a_hidden_record_is_not_found_exactly_like_a_missing_one(
    read: Callable[..., Any], corps: Corps, query: Callable[..., Any], record: str
) -> None:
    record_id = getattr(corps, record, uuid.uuid4())
    with pytest.raises(NotFound) as caught:
        read(query, FRA_OFFICER, record_id)
    assert str(caught.value) in {"no such organization", "no such post", "no such area"}


@pytest.mark.parametrize("query", [get_alliance, get_organization, get_office, get_post])
def test_no_clearance_finds_nothing(
    read: Callable[..., Any], corps: Corps, query: Callable[..., Any]
) -> None:
    record_id = {
        get_alliance: corps.exercise,
        get_organization: corps.hq,
        get_office: corps.fr_office,
        get_post: corps.fr_officer,
    }[query]
    with pytest.raises(NotFound):
        read(query, UNCLEARED, record_id)


# --- org charts -------------------------------------------------------------------------------


def test_the_alliance_chart_shows_the_structure_and_todays_holders(
    read: Callable[..., Any], corps: Corps
) -> None:
    chart = read(org_chart, GBR_OFFICER, corps.exercise, on=TODAY)
    assert (chart.kind, chart.id, chart.name) == (
        "alliance",
        corps.exercise,
        "Exercise Steadfast Quill",
    )
    assert outline(chart) == [
        (
            "Multinational Corps North-East",
            [
                (
                    "Cellule de liaison française",
                    [
                        (
                            "Coordination des opérations",
                            [
                                ("Chef de la cellule", None),
                                ("Officier de liaison", corps.fr_person),
                            ],
                        )
                    ],
                ),
                ("Corps Staff", [("Command Group", [("Chief of Staff", None)])]),
                (
                    "UK Liaison Office",
                    [
                        (
                            "Intelligence",
                            [
                                ("Intelligence Analyst", corps.analyst_person),
                                ("Intelligence Liaison Officer", corps.intel_person),
                            ],
                        ),
                        (
                            "Operations Coordination",
                            [("Senior National Liaison Officer", corps.snlo_person)],
                        ),
                    ],
                ),
                "Forward Command Post",
                ("Special Reconnaissance Cell", ["Cell Detachment"]),
            ],
        )
    ]


def test_a_chart_on_another_day_shows_that_days_holders(
    read: Callable[..., Any], corps: Corps
) -> None:
    chart = read(org_chart, GBR_OFFICER, corps.uk_office, on=date(2024, 1, 1))
    assert outline(chart) == [
        (
            "UK Liaison Office",
            [
                (
                    "Intelligence",
                    [("Intelligence Analyst", None), ("Intelligence Liaison Officer", None)],
                ),
                (
                    "Operations Coordination",
                    [("Senior National Liaison Officer", corps.former_snlo)],
                ),
            ],
        )
    ]
    assert chart.kind == "office"


def test_a_national_chart_shows_the_offices_its_organization_sends(
    read: Callable[..., Any], corps: Corps
) -> None:
    chart = read(org_chart, FRA_OFFICER, corps.fr_ema, on=TODAY)
    assert chart.kind == "organization"
    assert outline(chart) == [
        (
            "État-major des armées",
            [
                (
                    "Cellule de liaison française",
                    [
                        (
                            "Coordination des opérations",
                            [
                                ("Chef de la cellule", None),
                                ("Officier de liaison", corps.fr_person),
                            ],
                        )
                    ],
                )
            ],
        )
    ]


def test_a_chart_shows_a_reader_no_trace_of_what_they_may_not_see(
    read: Callable[..., Any], corps: Corps
) -> None:
    chart = read(org_chart, FRA_OFFICER, corps.exercise, on=TODAY)
    assert not chart_ids(chart) & hidden_ids(corps)
    (hq,) = chart.organizations
    assert [child.name for child in hq.children] == ["Forward Command Post"]
    uk = next(office for office in hq.offices if office.id == corps.uk_office)
    assert [(p.title, p.holder_id) for d in uk.departments for p in d.posts] == [
        ("Intelligence Analyst", None),  # its holder is hidden: no holder shown
        ("Senior National Liaison Officer", corps.snlo_person),
    ]
    british = read(org_chart, GBR_OFFICER, corps.exercise, on=TODAY)
    assert hidden_ids(corps) <= chart_ids(british)


def test_a_chart_under_a_hidden_record_is_not_found(read: Callable[..., Any], corps: Corps) -> None:
    for root in (corps.hidden_cell, uuid.uuid4()):
        with pytest.raises(NotFound):
            read(org_chart, FRA_OFFICER, root)
    with pytest.raises(NotFound):
        read(org_chart, UNCLEARED, corps.exercise)
    # A visible record under a hidden one charts alone, with no hint of what is above it.
    alone = read(org_chart, FRA_OFFICER, corps.cell_detachment)
    assert outline(alone) == ["Cell Detachment"]


# --- reporting lines --------------------------------------------------------------------------


def test_chains_of_command_run_to_the_top_of_each_line(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert read(chain_of_command, FRA_OFFICER, corps.fr_officer, "alliance", then=titles) == [
        "Chief of Staff"
    ]
    assert read(chain_of_command, FRA_OFFICER, corps.fr_officer, "national", then=titles) == [
        "Chef de la cellule"
    ]
    assert read(chain_of_command, GBR_OFFICER, corps.uk_analyst, "alliance", then=titles) == [
        "Senior National Liaison Officer",
        "Chief of Staff",
    ]
    assert read(chain_of_command, GBR_OFFICER, corps.uk_analyst, "national", then=titles) == [
        "Intelligence Liaison Officer",
        "Senior National Liaison Officer",
    ]
    assert read(chain_of_command, GBR_OFFICER, corps.chief_of_staff, "alliance") == []


def test_a_chain_stops_at_the_first_post_the_reader_may_not_see(
    read: Callable[..., Any], corps: Corps
) -> None:
    # Above the hidden intelligence post is the SNLO, whom FRA may see: still not shown.
    assert read(chain_of_command, FRA_OFFICER, corps.uk_analyst, "national") == []
    with pytest.raises(NotFound):
        read(chain_of_command, FRA_OFFICER, corps.uk_intel, "alliance")


def test_the_escalation_path_is_the_alliance_line_then_the_national_line_once_each(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert read(escalation_path, GBR_OFFICER, corps.uk_analyst, then=titles) == [
        "Senior National Liaison Officer",
        "Chief of Staff",
        "Intelligence Liaison Officer",
    ]
    assert read(escalation_path, FRA_OFFICER, corps.uk_analyst, then=titles) == [
        "Senior National Liaison Officer",
        "Chief of Staff",
    ]


def test_an_unknown_line_is_refused(read: Callable[..., Any], corps: Corps) -> None:
    with pytest.raises(Invalid, match="unknown reporting line 'sideways'"):
        read(chain_of_command, GBR_OFFICER, corps.snlo, "sideways")


# --- liaison officers -------------------------------------------------------------------------


def officers(
    read: Callable[..., Any], viewer: Principal, nation: str, org: uuid.UUID, **on: Any
) -> list[tuple[str, str]]:
    def names(found: list[LiaisonOfficer]) -> list[tuple[str, str]]:
        return [(lo.person.family_name, lo.post.title) for lo in found]

    result: list[tuple[str, str]] = read(liaison_officer, viewer, nation, org, then=names, **on)
    return result


def test_the_liaison_officers_of_a_nation_at_an_organization(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert officers(read, GBR_OFFICER, "gbr", corps.hq, on=TODAY) == [
        ("Ashworth", "Senior National Liaison Officer"),
        ("Blake", "Intelligence Liaison Officer"),
        ("Carver", "Intelligence Analyst"),
    ]
    assert officers(read, GBR_OFFICER, "FRA", corps.hq, on=TODAY) == [
        ("Chevalier", "Officier de liaison")
    ]
    assert officers(read, GBR_OFFICER, "GBR", corps.hq, on=date(2024, 1, 1)) == [
        ("Dunmore", "Senior National Liaison Officer")
    ]
    assert officers(read, GBR_OFFICER, "DEU", corps.hq, on=TODAY) == []
    assert officers(read, GBR_OFFICER, "GBR", corps.uk_mod, on=TODAY) == []  # sends, not hosts


def test_a_liaison_officer_lookup_shows_no_hidden_person_or_post(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert officers(read, FRA_OFFICER, "GBR", corps.hq, on=TODAY) == [
        ("Ashworth", "Senior National Liaison Officer")
    ]
    with pytest.raises(NotFound):
        officers(read, FRA_OFFICER, "GBR", corps.hidden_cell)
    with pytest.raises(NotFound):
        officers(read, UNCLEARED, "GBR", corps.hq)
    with pytest.raises(Invalid, match="unknown nation code 'XX'"):
        officers(read, GBR_OFFICER, "XX", corps.hq)


# --- vacancies --------------------------------------------------------------------------------


def test_vacancies_are_the_posts_nobody_holds_that_day(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert read(vacancies, GBR_OFFICER, on=TODAY, then=titles) == [
        "Chef de la cellule",
        "Chief of Staff",
    ]
    assert read(vacancies, GBR_OFFICER, on=date(2027, 6, 1), then=titles) == [
        "Chef de la cellule",
        "Chief of Staff",
        "Intelligence Liaison Officer",  # its holder's assignment has ended
    ]


def test_vacancies_show_no_hidden_post_and_no_hidden_holder(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert read(vacancies, FRA_OFFICER, on=date(2027, 6, 1), then=titles) == [
        "Chef de la cellule",
        "Chief of Staff",
        "Intelligence Analyst",  # its holder is hidden from FRA, so it looks vacant
    ]
    assert read(vacancies, UNCLEARED, on=TODAY) == []


# --- who covers a point -----------------------------------------------------------------------


def covering(
    read: Callable[..., Any], viewer: Principal, lat: float, lon: float
) -> list[tuple[str, uuid.UUID]]:
    def names(found: list[Coverage]) -> list[tuple[str, uuid.UUID]]:
        return [(c.area.name, c.responsible.id) for c in found]

    result: list[tuple[str, uuid.UUID]] = read(who_covers, viewer, Position(lat, lon), then=names)
    return result


def test_who_covers_a_point_answers_with_offices_and_posts(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert covering(read, GBR_OFFICER, 52.5, 20.5) == [
        ("Reserve sector", corps.uk_office),
        ("UK sector", corps.uk_office),
    ]
    assert covering(read, GBR_OFFICER, 53.2, 21.2) == [
        ("Collection area", corps.uk_intel),
        ("UK sector", corps.uk_office),
    ]
    assert covering(read, GBR_OFFICER, 52.5, 22.5) == [("Secteur français", corps.fr_officer)]
    assert covering(read, GBR_OFFICER, 54.0, 22.0) == [
        ("Secteur français", corps.fr_officer),  # a vertex: on the boundary counts
        ("UK sector", corps.uk_office),
    ]


def test_a_point_in_the_bounding_box_but_outside_the_area_is_not_covered(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert covering(read, GBR_OFFICER, 53.8, 23.8) == []


def test_who_covers_shows_no_hidden_area_and_no_area_of_a_hidden_post(
    read: Callable[..., Any], corps: Corps
) -> None:
    assert covering(read, FRA_OFFICER, 52.5, 20.5) == [("UK sector", corps.uk_office)]
    assert covering(read, FRA_OFFICER, 53.2, 21.2) == [("UK sector", corps.uk_office)]
    assert covering(read, UNCLEARED, 52.5, 20.5) == []
