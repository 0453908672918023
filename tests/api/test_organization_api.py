"""The structure over the API: nations, alliances, organizations, offices, posts and areas.

The corps of `tests.org_fixtures` holds GBR SECRET records: a French reader must get 404 for
them, and find no trace of them in lists, charts, chains, candidates or coverage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from liaison.actions.accounts import do_set_clearance
from liaison.domain import accounts as account_rules
from liaison.node import Node
from tests.conftest import UserFactory, auth, write
from tests.org_fixtures import Corps, build_corps
from tests.people_fixtures import CHIEF

API = "/api/v1"
RELEASABLE = "Releasable To"
UNCLASSIFIED = {"policy": "NATO", "classification": "UNCLASSIFIED"}
GBR_SECRET = {
    "policy": "NATO",
    "classification": "SECRET",
    "categories": [{"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["GBR"]}],
}
Headers = dict[str, str]


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(account_rules, "_hasher", cheap)


def cleared_user(
    node: Node,
    make_user: UserFactory,
    token_for: Callable[[str], str],
    username: str,
    nation: str,
    *roles: str,
) -> Headers:
    """A user of `nation` cleared NATO SECRET, releasable to their nation and NATO."""
    user = make_user(username, *roles, nation=nation)
    clearance = {
        "policy": "NATO",
        "classifications": ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"],
        "categories": {RELEASABLE: [nation, "NATO"]},
    }
    write(node, lambda session: do_set_clearance(session, CHIEF, user.id, clearance))
    return auth(token_for(username))


@pytest.fixture
def corps(node: Node) -> Corps:
    return build_corps(node)


@pytest.fixture
def gbr(node: Node, make_user: UserFactory, token_for: Callable[[str], str]) -> Headers:
    return cleared_user(node, make_user, token_for, "gbr-admin", "GBR", "admin", "officer")


@pytest.fixture
def fra(node: Node, make_user: UserFactory, token_for: Callable[[str], str]) -> Headers:
    return cleared_user(node, make_user, token_for, "fra-officer", "FRA", "officer")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


# --- happy paths ------------------------------------------------------------------------------


def test_nations_and_communities_are_listed(client: TestClient, fra: Headers) -> None:
    body = ok(client.get(f"{API}/nations", headers=fra))
    names = {n["code"]: n["name"] for n in body["nations"]}
    assert names["GBR"] == "United Kingdom"
    assert names["FRA"] == "France"
    assert {"policy": "NATO", "name": "NATO"} in body["communities"]


def test_an_admin_builds_an_office_with_a_post_and_an_area(
    client: TestClient, gbr: Headers
) -> None:
    alliance = ok(
        client.post(
            f"{API}/alliances",
            headers=gbr,
            json={
                "name": "Exercise Iron Heron",
                "kind": "exercise",
                "policy": "NATO",
                "label": UNCLASSIFIED,
                "members": [{"nation": "gbr", "joined_on": "2026-01-01"}],
            },
        ),
        201,
    )
    assert alliance["marking"] == "NATO UNCLASSIFIED"
    assert alliance["label"]["classification"] == "UNCLASSIFIED"
    assert ok(client.get(f"{API}/alliances/{alliance['id']}", headers=gbr)) == alliance
    assert alliance in ok(client.get(f"{API}/alliances", headers=gbr))

    def organization(name: str, **given: Any) -> dict[str, Any]:
        body = {"name": name, "kind": "headquarters", "label": UNCLASSIFIED} | given
        return ok(client.post(f"{API}/organizations", headers=gbr, json=body), 201)  # type: ignore[no-any-return]

    hq = organization(
        "Corps HQ", alliance_id=alliance["id"], mgrs="34U EC 00682 86620", time_zone="Europe/Warsaw"
    )
    assert hq["latitude"] is not None
    assert hq["mgrs"].startswith("34U")
    mod = organization("UK MOD", kind="ministry", nation="GBR")
    office = ok(
        client.post(
            f"{API}/offices",
            headers=gbr,
            json={
                "name": "UK Liaison Office",
                "sending_org_id": mod["id"],
                "host_org_id": hq["id"],
                "label": UNCLASSIFIED,
            },
        ),
        201,
    )
    department = ok(
        client.post(
            f"{API}/offices/{office['id']}/departments", headers=gbr, json={"name": "Operations"}
        ),
        201,
    )
    post = ok(
        client.post(
            f"{API}/posts",
            headers=gbr,
            json={
                "department_id": department["id"],
                "title": "SO2 Liaison",
                "rank_min": "OF-3",
                "rank_max": "OF-4",
                "required_clearance": GBR_SECRET,
                "required_languages": [{"language": "fra", "minimum": "3/3/3/3"}],
            },
        ),
        201,
    )
    assert post["required_clearance_marking"]
    assert post["marking"]  # the office's default label
    area = ok(
        client.post(
            f"{API}/areas",
            headers=gbr,
            json={
                "name": "Sector",
                "post_id": post["id"],
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[20, 52], [21, 52], [21, 53], [20, 53], [20, 52]]],
                },
            },
        ),
        201,
    )
    covering = ok(client.get(f"{API}/areas/covering?lat=52.5&lon=20.5", headers=gbr))
    assert [(c["area"]["id"], c["responsible_id"]) for c in covering] == [(area["id"], post["id"])]
    office_now = ok(client.get(f"{API}/offices/{office['id']}", headers=gbr))
    assert office_now["departments"] == [department]
    chart = ok(client.get(f"{API}/offices/{office['id']}/chart", headers=gbr))
    assert chart["offices"][0]["departments"][0]["posts"][0]["id"] == post["id"]
    alliance_chart = ok(client.get(f"{API}/alliances/{alliance['id']}/chart", headers=gbr))
    assert [o["id"] for o in alliance_chart["organizations"]] == [hq["id"]]
    assert alliance_chart["organizations"][0]["offices"][0]["id"] == office["id"]


def test_charts_chains_and_liaison_officers(client: TestClient, corps: Corps, gbr: Headers) -> None:
    chart = ok(client.get(f"{API}/organizations/{corps.hq}/chart?on=2026-11-24", headers=gbr))
    children = {c["name"] for c in chart["organizations"][0]["children"]}
    assert children == {"Forward Command Post", "Special Reconnaissance Cell"}
    chain = ok(client.get(f"{API}/posts/{corps.uk_analyst}/chain?line=national", headers=gbr))
    assert [p["id"] for p in chain] == [str(corps.uk_intel), str(corps.snlo)]
    escalation = ok(client.get(f"{API}/posts/{corps.uk_analyst}/escalation", headers=gbr))
    assert [p["id"] for p in escalation] == [
        str(corps.snlo),
        str(corps.chief_of_staff),
        str(corps.uk_intel),
    ]
    officers = ok(
        client.get(
            f"{API}/organizations/{corps.hq}/liaison-officers?nation=GBR&on=2026-11-24",
            headers=gbr,
        )
    )
    assert {o["person_id"] for o in officers} == {
        str(corps.snlo_person),
        str(corps.intel_person),
        str(corps.analyst_person),
    }
    vacant = ok(client.get(f"{API}/posts/vacant?on=2026-11-24", headers=gbr))
    assert {p["id"] for p in vacant} == {str(corps.chief_of_staff), str(corps.fr_chief)}
    candidates = ok(
        client.get(f"{API}/posts/{corps.fr_chief}/candidates?on=2026-11-24", headers=gbr)
    )
    assert candidates
    assert {"criterion", "met", "detail"} <= set(candidates[0]["reasons"][0])


# --- bad input, authentication, roles ---------------------------------------------------------


def test_bad_input_is_refused_naming_the_field(
    client: TestClient, corps: Corps, gbr: Headers
) -> None:
    body = {"name": "Nowhere HQ", "kind": "headquarters", "nation": "XYZ", "label": UNCLASSIFIED}
    assert "nation" in fields(
        problem(client.post(f"{API}/organizations", headers=gbr, json=body), 422)
    )
    post: dict[str, Any] = {
        "department_id": str(corps.uk_operations),
        "title": "Odd",
        "rank_min": "OF-11",
        "rank_max": "OF-4",
    }
    assert "rank_min" in fields(problem(client.post(f"{API}/posts", headers=gbr, json=post), 422))
    post |= {"rank_min": "OF-3", "required_languages": [{"language": "fra", "minimum": "6/3/3/3"}]}
    response = client.post(f"{API}/posts", headers=gbr, json=post)
    assert problem(response, 422)["errors"]
    bad_label = {
        "name": "X",
        "kind": "unit",
        "label": {"policy": "NATO", "classification": "ULTRA"},
    }
    assert "label" in fields(
        problem(client.post(f"{API}/organizations", headers=gbr, json=bad_label), 422)
    )
    problem(client.get(f"{API}/posts/{corps.snlo}/chain?line=sideways", headers=gbr), 422)
    problem(client.get(f"{API}/areas/covering?lat=95&lon=0", headers=gbr), 422)
    problem(
        client.get(f"{API}/organizations/{corps.hq}/liaison-officers?nation=XYZ", headers=gbr),
        422,
    )


def test_a_cycle_is_refused_naming_the_line(client: TestClient, corps: Corps, gbr: Headers) -> None:
    url = f"{API}/posts/{corps.chief_of_staff}/superiors"
    body = problem(
        client.put(url, headers=gbr, json={"alliance_superior_id": str(corps.snlo)}), 422
    )
    assert fields(body) == {"alliance_superior_id"}
    assert "cycle" in body["detail"]
    problem(client.put(url, headers=gbr | {"If-Match": '"7"'}, json={}), 412)


def test_a_reader_may_not_overwrite_a_superior_they_cannot_see(
    client: TestClient, corps: Corps, gbr: Headers, fra: Headers
) -> None:
    url = f"{API}/posts/{corps.uk_analyst}/superiors"
    change = {"alliance_superior_id": str(corps.chief_of_staff)}
    body = problem(client.put(url, headers=fra, json=change), 403)
    assert str(corps.uk_intel) not in str(body)
    seen = ok(client.get(f"{API}/posts/{corps.uk_analyst}", headers=gbr))
    assert seen["national_superior_id"] == str(corps.uk_intel)
    change["national_superior_id"] = str(corps.uk_intel)
    changed = ok(client.put(url, headers=gbr, json=change))
    assert changed["alliance_superior_id"] == str(corps.chief_of_staff)
    assert changed["version"] == seen["version"] + 1


def test_anonymous_callers_are_refused(client: TestClient, corps: Corps) -> None:
    for path in ("/nations", "/alliances", "/organizations", f"/posts/{corps.snlo}"):
        problem(client.get(f"{API}{path}"), 401)
    problem(client.post(f"{API}/alliances", json={}), 401)


def test_an_officer_may_not_create_an_organization(
    client: TestClient, node: Node, fra: Headers
) -> None:
    body = {"name": "Rogue HQ", "kind": "headquarters", "label": UNCLASSIFIED}
    problem(client.post(f"{API}/organizations", headers=fra, json=body), 403)


# --- what a reader may not see ----------------------------------------------------------------


def test_a_french_reader_gets_404_for_hidden_records(
    client: TestClient, corps: Corps, fra: Headers
) -> None:
    for path in (
        f"/organizations/{corps.hidden_cell}",
        f"/organizations/{corps.hidden_cell}/chart",
        f"/posts/{corps.uk_intel}",
        f"/posts/{corps.uk_intel}/chain",
        f"/posts/{corps.uk_intel}/escalation",
        f"/posts/{corps.uk_intel}/candidates",
    ):
        problem(client.get(f"{API}{path}", headers=fra), 404)
    assert ok(client.get(f"{API}/organizations/{corps.hq}", headers=fra))["name"]


def test_a_french_reader_finds_no_trace_of_hidden_records(
    client: TestClient, corps: Corps, fra: Headers
) -> None:
    hidden = [
        corps.hidden_cell,
        corps.cell_detachment,
        corps.uk_intel,
        corps.intel_person,
        corps.analyst_person,
        corps.intel_area,
        corps.secret_area,
    ]
    answers = {
        "organizations": client.get(f"{API}/organizations", headers=fra),
        "chart": client.get(f"{API}/organizations/{corps.hq}/chart?on=2026-11-24", headers=fra),
        "alliance chart": client.get(f"{API}/alliances/{corps.exercise}/chart", headers=fra),
        "office chart": client.get(f"{API}/offices/{corps.uk_office}/chart", headers=fra),
        "office": client.get(f"{API}/offices/{corps.uk_office}", headers=fra),
        "analyst": client.get(f"{API}/posts/{corps.uk_analyst}", headers=fra),
        "chain": client.get(f"{API}/posts/{corps.uk_analyst}/chain?line=national", headers=fra),
        "escalation": client.get(f"{API}/posts/{corps.uk_analyst}/escalation", headers=fra),
        "vacant": client.get(f"{API}/posts/vacant?on=2026-11-24", headers=fra),
        "candidates": client.get(
            f"{API}/posts/{corps.fr_chief}/candidates?on=2026-11-24", headers=fra
        ),
        "officers": client.get(
            f"{API}/organizations/{corps.hq}/liaison-officers?nation=GBR&on=2026-11-24",
            headers=fra,
        ),
        "coverage": client.get(f"{API}/areas/covering?lat=53.2&lon=21.2", headers=fra),
        "coverage in reserve": client.get(f"{API}/areas/covering?lat=52.5&lon=20.5", headers=fra),
    }
    for what, response in answers.items():
        assert response.status_code == 200, (what, response.text)
        for record in hidden:
            if (what, record) == ("organizations", corps.cell_detachment):
                continue  # visible itself; only charts leave out what sits under a hidden node
            assert str(record) not in response.text, (what, record)
    assert ok(answers["chain"]) == []
    listed = {o["id"]: o for o in ok(answers["organizations"])}
    assert listed[str(corps.cell_detachment)]["parent_id"] is None
    assert ok(answers["analyst"])["national_superior_id"] is None
    covering = ok(answers["coverage"])
    assert [c["area"]["id"] for c in covering] == [str(corps.uk_area)]
    assert [o["person_id"] for o in ok(answers["officers"])] == [str(corps.snlo_person)]


def test_a_british_reader_sees_them(client: TestClient, corps: Corps, gbr: Headers) -> None:
    covering = ok(client.get(f"{API}/areas/covering?lat=53.2&lon=21.2", headers=gbr))
    assert {c["area"]["id"] for c in covering} == {str(corps.uk_area), str(corps.intel_area)}
    post = ok(client.get(f"{API}/posts/{corps.uk_intel}", headers=gbr))
    assert "SECRET" in post["marking"]
    assert post["label"]["categories"][0]["values"] == ["GBR"]


def test_an_office_does_not_name_an_organization_hidden_from_the_reader(
    client: TestClient, corps: Corps, gbr: Headers, fra: Headers
) -> None:
    body = {
        "name": "Cell liaison desk",
        "sending_org_id": str(corps.hidden_cell),
        "host_org_id": str(corps.hq),
        "label": UNCLASSIFIED,
    }
    office = ok(client.post(f"{API}/offices", json=body, headers=gbr), 201)
    seen_by_gbr = ok(client.get(f"{API}/offices/{office['id']}", headers=gbr))
    assert seen_by_gbr["sending_org_id"] == str(corps.hidden_cell)
    seen_by_fra = ok(client.get(f"{API}/offices/{office['id']}", headers=fra))
    assert seen_by_fra["sending_org_id"] is None
    assert seen_by_fra["host_org_id"] == str(corps.hq)
    assert (
        str(corps.hidden_cell)
        not in client.get(f"{API}/organizations/{corps.hq}/chart", headers=fra).text
    )
