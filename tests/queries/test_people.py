"""People queries: records, lists, candidates ranked by fit, expiring clearances and
qualifications; users' clearances derived from their person, in effect on the next request;
and, for every read, a viewer who may not see a person gets no trace of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from liaison.actions.accounts import do_set_clearance, secret_digest
from liaison.actions.people import (
    do_accredit,
    do_add_qualification,
    do_assign,
    do_link_user,
    do_set_language,
    do_set_person_clearance,
    do_update_person,
)
from liaison.app import create_app
from liaison.domain.accounts import Principal
from liaison.domain.errors import Invalid, NotFound
from liaison.http import credentials
from liaison.http.deps import Caller, ReadSession
from liaison.node import Node
from liaison.queries.accounts import holder_of_secret
from liaison.queries.people import (
    Candidate,
    Expiring,
    Reason,
    candidates,
    expiring,
    get_person,
    get_person_record,
    list_people,
)
from liaison.security import clearance_to_json
from liaison.store.models import User
from liaison.store.types import utcnow
from tests.conftest import UserFactory, auth, write
from tests.people_fixtures import (
    CHIEF,
    FRA_OFFICER,
    GBR_OFFICER,
    GBR_SECRET,
    ORIGIN,
    STAFF_COURSE,
    TODAY,
    UNCLEARED,
    Office,
    build_office,
    demo_gbr,
    person,
)

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Crew:
    """People of the UK office, each fitting the SO2 Liaison post in a different way."""

    office: Office
    ashworth: uuid.UUID  # fits every requirement
    blake: uuid.UUID  # OF-5: one step above the range
    carver: uuid.UUID  # cleared OFFICIAL only: cannot read NATO SECRET
    dunmore: uuid.UUID  # French writing 2, course expired yesterday
    ellis: uuid.UUID  # fits, but in the clerk post (and, dual-hatted, the secret post)
    fraser: uuid.UUID  # OR-4, no clearance, no languages, no course
    chevalier: uuid.UUID  # French, kept by no office, labelled by hand
    hughes: uuid.UUID  # fits every requirement, but labelled GBR SECRET


@pytest.fixture
def crew(node: Node) -> Crew:
    office = build_office(node)
    return write(node, lambda session: _crew(session, office))


def _crew(session: Session, office: Office) -> Crew:
    def fit(
        name: str,
        *,
        french: str = "3+/3/3/3",
        course_until: date | None = date(2029, 5, 9),
        clearance_until: date = date(2029, 12, 31),
        level: str = "SECRET",
        **given: Any,
    ) -> uuid.UUID:
        person_id = person(
            session,
            name,
            office_id=office.office,
            clearance=demo_gbr(level, expires=clearance_until),
            **given,
        )
        do_set_language(session, CHIEF, person_id, "fra", french)
        do_set_language(session, CHIEF, person_id, "eng", "5555")
        do_add_qualification(
            session,
            CHIEF,
            person_id,
            course=STAFF_COURSE,
            issuer="NATO School Oberammergau",
            completed_on=date(2024, 5, 10),
            expires_on=course_until,
            origin=ORIGIN,
        )
        return person_id

    ellis = fit("Ellis", course_until=TODAY)
    do_accredit(session, CHIEF, ellis, office.hq, starts_on=TODAY - 100 * DAY, origin=ORIGIN)
    for post_id, dual in ((office.clerk_post, False), (office.secret_post, True)):
        do_assign(
            session,
            CHIEF,
            ellis,
            post_id,
            starts_on=TODAY - 100 * DAY,
            ends_on=TODAY + 200 * DAY,
            dual_hatted=dual,
            origin=ORIGIN,
        )
    return Crew(
        office=office,
        ashworth=fit("Ashworth", clearance_until=TODAY + 10 * DAY),
        blake=fit("Blake", rank_code="OF-5", rank_title="Colonel", course_until=TODAY - DAY),
        carver=fit("Carver", level="OFFICIAL", clearance_until=TODAY + 31 * DAY),
        dunmore=fit("Dunmore", french="3/3/3/2", course_until=TODAY - DAY),
        ellis=ellis,
        fraser=person(
            session,
            "Fraser",
            office_id=office.office,
            rank_code="OR-4",
            rank_title="Corporal",
        ),
        chevalier=person(session, "Chevalier", nation="FRA", service="Armée de terre"),
        hughes=fit("Hughes", label=GBR_SECRET, clearance_until=TODAY + 5 * DAY),
    )


@pytest.fixture
def read(node: Node) -> Callable[..., Any]:
    """`read(query, viewer, *args, then=f)`: `f` of the answer, in the query's unit of work."""

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


def names(people: list[Any]) -> list[str]:
    return [p.family_name for p in people]


# --- records and lists ------------------------------------------------------------------------


def test_a_person_is_read_with_the_parts_of_their_record(
    read: Callable[..., Any], crew: Crew
) -> None:
    assert read(get_person, FRA_OFFICER, crew.ashworth, then=lambda p: p.rank_code) == "OF-4"

    def outline(record: Any) -> Any:
        return (
            [(lang.language, lang.profile) for lang in record.languages],
            [q.course for q in record.qualifications],
            sorted(a.post_id for a in record.assignments),
            record.clearance.clearance.classifications,
        )

    accredited = read(
        get_person_record, FRA_OFFICER, crew.ellis, then=lambda r: r.accreditations[0].host_org_id
    )
    assert accredited == crew.office.hq
    languages, courses, posts, classes = read(
        get_person_record, GBR_OFFICER, crew.ellis, today=TODAY, then=outline
    )
    assert languages == [("eng", "5/5/5/5"), ("fra", "3+/3/3/3")]
    assert courses == [STAFF_COURSE]
    assert posts == sorted([crew.office.clerk_post, crew.office.secret_post])
    assert classes == {"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}
    # A French reader sees Ellis, but not the assignment to a post labelled GBR SECRET.
    _, _, french_posts, _ = read(get_person_record, FRA_OFFICER, crew.ellis, then=outline)
    assert french_posts == [crew.office.clerk_post]


def test_the_record_shows_why_a_person_holds_no_clearance(
    read: Callable[..., Any], crew: Crew
) -> None:
    derived = read(
        get_person_record,
        GBR_OFFICER,
        crew.ashworth,
        today=TODAY + 11 * DAY,
        then=lambda record: record.clearance,
    )
    assert derived.clearance is None
    assert derived.notes == (f"clearance expired on {(TODAY + 10 * DAY).isoformat()}",)


def listed(page: Any) -> tuple[list[str], str | None]:
    return names(page.items), page.next_cursor


def test_people_are_listed_page_by_page_and_filtered(read: Callable[..., Any], crew: Crew) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page, cursor = read(list_people, GBR_OFFICER, cursor=cursor, limit=3, then=listed)
        seen += page
        pages += 1
        if cursor is None:
            break
    assert pages == 3
    # Creation order: Ellis first, made before the others to hold the clerk post.
    assert seen == [
        "Ellis", "Ashworth", "Blake", "Carver", "Dunmore", "Fraser", "Chevalier", "Hughes"
    ]  # fmt: skip
    assert read(list_people, GBR_OFFICER, nation="fra", then=listed) == (["Chevalier"], None)
    kept, _ = read(list_people, GBR_OFFICER, office_id=crew.office.office, then=listed)
    assert kept == [name for name in seen if name != "Chevalier"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nation": "XX"}, "unknown nation code 'XX'"),
        ({"cursor": "not-a-cursor"}, "malformed cursor"),
        ({"limit": 0}, "limit must be between 1 and 500"),
    ],
)
def test_bad_list_requests_are_refused(
    read: Callable[..., Any], crew: Crew, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(Invalid, match=match):
        read(list_people, GBR_OFFICER, **kwargs)


# --- candidates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    name: str
    score: int
    rank_distance: int
    reasons: tuple[Reason, ...]

    @property
    def missed(self) -> list[str]:
        return [f"{r.criterion}: {r.detail}" for r in self.reasons if not r.met]


def ranked(found: list[Candidate]) -> list[Ranked]:
    return [Ranked(c.person.family_name, c.score, c.rank_distance, c.reasons) for c in found]


def scores(found: list[Ranked]) -> list[tuple[str, int]]:
    return [(r.name, r.score) for r in found]


def test_candidates_are_ranked_by_fit_with_their_reasons(
    read: Callable[..., Any], crew: Crew
) -> None:
    found = read(candidates, GBR_OFFICER, crew.office.liaison_post, on=TODAY, then=ranked)
    # Out of 100: clearance 30, rank 20 (5 fewer a step away), languages 20 (10 each),
    # qualifications 15, availability 15.
    assert scores(found) == [
        ("Ashworth", 100),
        ("Hughes", 100),
        ("Ellis", 85),
        ("Blake", 80),
        ("Dunmore", 75),
        ("Carver", 70),
        ("Chevalier", 35),  # an OF-4, and free: nothing else
        ("Fraser", 15),  # free: nothing else
    ]
    by_name = {r.name: r for r in found}
    assert by_name["Ashworth"].missed == []
    assert [(r.criterion, r.detail) for r in by_name["Ashworth"].reasons] == [
        ("rank", "OF-4 is within OF-3 to OF-4"),
        ("clearance", "can read the post's required label"),
        ("language", "fra: 3+/3/3/3 meets 3/3/3/3"),
        ("language", "eng: 5/5/5/5 meets 3/3/3/3"),
        ("qualification", f"{STAFF_COURSE}: held (until 2029-05-09)"),
        ("availability", "no other assignment on that day"),
    ]
    assert by_name["Blake"].missed == [
        "rank: OF-5 is 1 step from OF-3 to OF-4",
        f"qualification: {STAFF_COURSE}: not held",
    ]
    assert by_name["Carver"].missed == [
        "clearance: cannot read the post's required label: classification 'SECRET' is not held"
    ]
    assert by_name["Dunmore"].missed == [
        "language: fra: 3/3/3/2 below 3/3/3/3 in writing",
        f"qualification: {STAFF_COURSE}: not held",
    ]
    assert by_name["Ellis"].missed == [
        f"availability: assigned to another post until {(TODAY + 200 * DAY).isoformat()}"
    ]
    assert by_name["Fraser"].missed == [
        "rank: OR-4 is 14 steps from OF-3 to OF-4",
        "clearance: no clearance recorded",
        "language: fra: no profile recorded (needs 3/3/3/3)",
        "language: eng: no profile recorded (needs 3/3/3/3)",
        f"qualification: {STAFF_COURSE}: not held",
    ]
    assert [r.rank_distance for r in found] == [0, 0, 0, 1, 0, 0, 0, 14]


def test_candidates_are_judged_on_the_day_asked(read: Callable[..., Any], crew: Crew) -> None:
    later = TODAY + 11 * DAY  # Ashworth's clearance has expired; Ellis's course too
    found = read(candidates, GBR_OFFICER, crew.office.liaison_post, on=later, then=ranked)
    by_name = {r.name: r for r in found}
    assert by_name["Ashworth"].missed == [
        f"clearance: clearance expired on {(TODAY + 10 * DAY).isoformat()}"
    ]
    assert f"qualification: {STAFF_COURSE}: not held" in by_name["Ellis"].missed


def test_a_post_with_no_requirements_ranks_on_rank_and_availability(
    read: Callable[..., Any], crew: Crew
) -> None:
    found = read(candidates, GBR_OFFICER, crew.office.clerk_post, on=TODAY, limit=2, then=ranked)
    # Fraser (OR-4) fits; the OF-4s are 13 steps above OR-6, which leaves them no rank points:
    # 45 of 65 (no clearance, language or course is asked for).
    assert scores(found) == [("Fraser", 100), ("Ashworth", 69)]
    assert [(r.criterion, r.met, r.detail) for r in found[0].reasons] == [
        ("rank", True, "OR-4 is within OR-4 to OR-6"),
        ("clearance", True, "none required (no clearance recorded)"),
        ("availability", True, "no other assignment on that day"),
    ]


def test_candidates_for_a_post_the_viewer_cannot_see_are_not_found(
    read: Callable[..., Any], crew: Crew
) -> None:
    with pytest.raises(NotFound, match=r"^no such post$"):
        read(candidates, FRA_OFFICER, crew.office.secret_post, on=TODAY)


# --- expiring ---------------------------------------------------------------------------------


def soon(found: list[Expiring]) -> list[tuple[str, str, str, date]]:
    return [(e.person.family_name, e.kind, e.what, e.expires_on) for e in found]


def test_clearances_and_qualifications_expiring_within_n_days_soonest_first(
    read: Callable[..., Any], crew: Crew
) -> None:
    assert read(expiring, GBR_OFFICER, within_days=30, today=TODAY, then=soon) == [
        ("Ellis", "qualification", STAFF_COURSE, TODAY),
        ("Hughes", "clearance", "DEMO-GBR SECRET", TODAY + 5 * DAY),
        ("Ashworth", "clearance", "DEMO-GBR SECRET", TODAY + 10 * DAY),
    ]
    assert read(expiring, GBR_OFFICER, within_days=31, today=TODAY, then=soon)[-1] == (
        "Carver",
        "clearance",
        "DEMO-GBR OFFICIAL",
        TODAY + 31 * DAY,
    )
    # Blake's and Dunmore's courses ended yesterday: expired, not expiring.
    assert read(expiring, GBR_OFFICER, within_days=0, today=TODAY, then=soon) == [
        ("Ellis", "qualification", STAFF_COURSE, TODAY)
    ]
    with pytest.raises(Invalid, match="within_days"):
        read(expiring, GBR_OFFICER, within_days=-1, today=TODAY)


# --- a viewer who may not see a person --------------------------------------------------------


def test_a_hidden_person_leaves_no_trace_in_any_read(read: Callable[..., Any], crew: Crew) -> None:
    for person_id in (crew.hughes, uuid.uuid4()):  # hidden, and missing: the same answer
        with pytest.raises(NotFound, match=r"^no such person$"):
            read(get_person, FRA_OFFICER, person_id)
        with pytest.raises(NotFound, match=r"^no such person$"):
            read(get_person_record, FRA_OFFICER, person_id)

    everyone, _ = read(list_people, GBR_OFFICER, limit=500, then=listed)
    french_view, _ = read(list_people, FRA_OFFICER, limit=500, then=listed)
    assert french_view == [name for name in everyone if name != "Hughes"]
    # A page exactly as long as what is visible ends there: no further page hints at Hughes.
    assert read(list_people, FRA_OFFICER, limit=len(french_view), then=listed)[1] is None

    post = crew.office.liaison_post
    ranking = read(candidates, FRA_OFFICER, post, on=TODAY, limit=500, then=ranked)
    british = read(candidates, GBR_OFFICER, post, on=TODAY, limit=500, then=ranked)
    assert "Hughes" in [entry.name for entry in british]
    assert ranking == [entry for entry in british if entry.name != "Hughes"]

    due = read(expiring, FRA_OFFICER, within_days=30, today=TODAY, then=soon)
    assert [name for name, *_ in due] == ["Ellis", "Ashworth"]


def test_a_viewer_without_clearance_sees_nobody(read: Callable[..., Any], crew: Crew) -> None:
    assert read(list_people, UNCLEARED, then=listed) == ([], None)
    assert read(expiring, UNCLEARED, within_days=365, today=TODAY) == []
    with pytest.raises(NotFound):
        read(get_person, UNCLEARED, crew.ashworth)
    with pytest.raises(NotFound):
        read(candidates, UNCLEARED, crew.office.liaison_post, on=TODAY)


# --- users are people -------------------------------------------------------------------------


def test_a_linked_users_principal_holds_the_persons_derived_clearance(
    node: Node, crew: Crew, make_user: UserFactory, token_for: Callable[[str], str]
) -> None:
    jane = make_user("jane")
    write(
        node,
        lambda s: do_set_clearance(
            s, CHIEF, jane.id, {"policy": "NATO", "classifications": ["UNCLASSIFIED"]}
        ),
    )
    token = token_for("jane")

    def held() -> tuple[Any, Any]:
        with node.db.reading() as session:
            user = session.get(User, jane.id)
            assert user is not None
            holder = holder_of_secret(session, secret_digest(token), "api")
            assert holder is not None
            return user.principal().clearance, holder.principal.clearance

    direct, _ = held()
    assert direct is not None
    assert direct.classifications == {"UNCLASSIFIED"}
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, crew.ashworth))
    from_model, from_token = held()
    assert from_model == from_token
    assert from_model is not None
    assert from_model.classifications == {"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}
    assert from_model.categories["Releasable To"] == {"GBR", "NATO"}
    write(
        node,
        lambda s: do_set_person_clearance(
            s, CHIEF, crew.ashworth, demo_gbr("SECRET", issued=None, expires=date(2020, 1, 1))
        ),
    )
    assert held() == (None, None)  # expired: no clearance, whatever the account holds itself
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, None))
    assert held() == (direct, direct)


@pytest.fixture
def probed(node: Node, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app plus one route that lists the people the caller sees, as the API resolves them.

    The credential cache's time limit is lifted, so only invalidation can refresh a principal.
    """
    monkeypatch.setattr(credentials, "TTL_SECONDS", 3600.0)
    app = create_app(node)

    @app.get("/test-probe/people")
    def people(caller: Caller, session: ReadSession) -> dict[str, Any]:
        clearance = caller.clearance
        return {
            "clearance": None if clearance is None else clearance_to_json(clearance),
            "people": names(list_people(session, caller, limit=500).items),
        }

    with TestClient(app) as test_client:
        yield test_client


def test_a_change_of_a_persons_clearance_takes_effect_on_the_users_next_request(
    node: Node,
    crew: Crew,
    probed: TestClient,
    make_user: UserFactory,
    token_for: Callable[[str], str],
) -> None:
    jane = make_user("jane")
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, crew.fraser))
    headers = auth(token_for("jane"))

    def seen() -> dict[str, Any]:
        response = probed.get("/test-probe/people", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    today = utcnow().date()  # the API judges clearances by the clock

    def clear(level: str, expires: date) -> None:
        clearance = demo_gbr(level, issued=None, expires=expires)
        write(node, lambda s: do_set_person_clearance(s, CHIEF, crew.fraser, clearance))

    assert seen() == {"clearance": None, "people": []}  # no clearance yet; now cached
    clear("OFFICIAL", today + 365 * DAY)
    first = seen()
    assert first["clearance"]["classifications"] == ["RESTRICTED", "UNCLASSIFIED"]
    assert len(first["people"]) == 8 - 1  # all but Hughes (GBR SECRET)
    clear("SECRET", today)  # valid through its last day
    assert "Hughes" in seen()["people"]
    clear("SECRET", today - DAY)
    assert seen() == {"clearance": None, "people": []}
    clear("SECRET", today + 365 * DAY)
    assert len(seen()["people"]) == 8
    # A change of nation changes releasability: a partner nation's officer reads no NATO label.
    write(node, lambda s: do_update_person(s, CHIEF, crew.fraser, nation="UKR"))
    assert seen()["people"] == []
    write(node, lambda s: do_link_user(s, CHIEF, jane.id, None))
    assert seen() == {"clearance": None, "people": []}
