"""People over the API: records with ETags, clearances, languages, qualifications, assignments,
candidates and expiry reports; a French reader finds no trace of what is GBR SECRET."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from liaison.node import Node
from liaison.store.types import utcnow
from tests.api.test_organization_api import (
    GBR_SECRET,
    Headers,
    cheap_passwords,
    cleared_user,
    fields,
    ok,
    problem,
)
from tests.conftest import UserFactory, write
from tests.people_fixtures import GBR_SECRET as GBR_SECRET_LABEL
from tests.people_fixtures import Office, build_office, demo_gbr, person

__all__ = ["cheap_passwords"]

API = "/api/v1"
PEOPLE = f"{API}/people"


@pytest.fixture
def office(node: Node) -> Office:
    return build_office(node)


@pytest.fixture
def chief(node: Node, make_user: UserFactory, token_for: Callable[[str], str]) -> Headers:
    roles = ("admin", "officer", "security_officer")
    return cleared_user(node, make_user, token_for, "gbr-chief", "GBR", *roles)


@pytest.fixture
def fra(node: Node, make_user: UserFactory, token_for: Callable[[str], str]) -> Headers:
    return cleared_user(node, make_user, token_for, "fra-officer", "FRA", "officer")


def new_person(office: Office, **changes: Any) -> dict[str, Any]:
    body = {
        "family_name": "Ashworth",
        "given_names": "Jane",
        "rank_code": "OF-4",
        "rank_title": "Lieutenant Colonel",
        "service": "British Army",
        "nation": "gbr",
        "email": "jane.ashworth@example.org",
        "office_id": str(office.office),
    }
    return body | changes


def test_a_person_is_created_read_and_changed_with_etags(
    client: TestClient, office: Office, chief: Headers
) -> None:
    response = client.post(PEOPLE, headers=chief, json=new_person(office))
    created = ok(response, 201)
    assert (created["nation"], created["version"]) == ("GBR", 1)
    assert created["label"]["classification"] == "RESTRICTED"  # the office's default
    assert "RESTRICTED" in created["marking"]
    record = client.get(f"{PEOPLE}/{created['id']}", headers=chief)
    assert ok(record)["languages"] == []
    etag = record.headers["ETag"]
    change = {"rank_code": "OF-5", "rank_title": "Colonel"}
    changed = client.patch(
        f"{PEOPLE}/{created['id']}", headers=chief | {"If-Match": etag}, json=change
    )
    assert ok(changed)["rank_code"] == "OF-5"
    assert changed.headers["ETag"] != etag
    stale = client.patch(
        f"{PEOPLE}/{created['id']}", headers=chief | {"If-Match": etag}, json=change
    )
    problem(stale, 412)
    listed = ok(client.get(PEOPLE, headers=chief, params={"nation": "GBR"}))
    assert [p["id"] for p in listed["items"]] == [created["id"]]


def test_people_are_listed_page_by_page(
    client: TestClient, node: Node, office: Office, chief: Headers
) -> None:
    def add(session: Session, name: str) -> None:
        person(session, name, office_id=office.office)

    for name in ("Adams", "Baker", "Cole"):
        write(node, partial(add, name=name))
    first = ok(client.get(PEOPLE, headers=chief, params={"limit": 2}))
    second = ok(
        client.get(PEOPLE, headers=chief, params={"limit": 2, "cursor": first["next_cursor"]})
    )
    names = [p["family_name"] for p in first["items"] + second["items"]]
    assert names == ["Adams", "Baker", "Cole"]
    assert second["next_cursor"] is None


def test_a_record_gets_a_clearance_languages_qualifications_and_a_post(
    client: TestClient, office: Office, chief: Headers
) -> None:
    created = ok(client.post(PEOPLE, headers=chief, json=new_person(office)), 201)
    url = f"{PEOPLE}/{created['id']}"
    clearance = {"policy": "DEMO-GBR", "level": "SECRET", "issued": "2024-01-01"}
    cleared = ok(client.put(f"{url}/clearance", headers=chief, json=clearance))
    assert (cleared["clearance_policy"], cleared["clearance_level"]) == ("DEMO-GBR", "SECRET")
    language = ok(client.put(f"{url}/languages/fra", headers=chief, json={"profile": "3+/3/3/2"}))
    assert language == {"language": "fra", "profile": "3+/3/3/2"}
    course = {"course": "NATO Staff Officer Course", "issuer": "NSO", "completed_on": "2025-03-01"}
    assert ok(client.post(f"{url}/qualifications", headers=chief, json=course), 201)["id"]
    today = utcnow().date()
    post = {"post_id": str(office.clerk_post), "starts_on": today.isoformat()}
    assert ok(client.post(f"{url}/assignments", headers=chief, json=post), 201)["id"]
    record = ok(client.get(url, headers=chief))
    assert record["cleared"] is True
    assert [a["post_id"] for a in record["assignments"]] == [str(office.clerk_post)]
    assert len(record["qualifications"]) == 1
    # The post now has a holder: a second, overlapping holder is refused.
    other = ok(client.post(PEOPLE, headers=chief, json=new_person(office, family_name="B")), 201)
    response = client.post(f"{PEOPLE}/{other['id']}/assignments", headers=chief, json=post)
    assert response.status_code in (409, 422), response.text


def test_bad_input_is_refused_naming_the_field(
    client: TestClient, office: Office, chief: Headers
) -> None:
    body = problem(client.post(PEOPLE, headers=chief, json=new_person(office, nation="XYZ")), 422)
    assert "XYZ" in body["detail"]
    assert "nation" in fields(body)
    body = problem(
        client.post(PEOPLE, headers=chief, json=new_person(office, rank_code="OF-11")), 422
    )
    assert "OF-11" in body["detail"]
    created = ok(client.post(PEOPLE, headers=chief, json=new_person(office)), 201)
    url = f"{PEOPLE}/{created['id']}"
    body = problem(
        client.put(f"{url}/languages/fra", headers=chief, json={"profile": "6/3/3/3"}), 422
    )
    assert "6/3/3/3" in body["detail"]
    above = {"policy": "DEMO-GBR", "level": "COSMIC"}
    body = problem(client.put(f"{url}/clearance", headers=chief, json=above), 422)
    assert "COSMIC" in body["detail"]
    assert "body.email" in fields(
        problem(client.post(PEOPLE, headers=chief, json=new_person(office, email="x" * 300)), 422)
    )
    problem(client.get(f"{PEOPLE}/expiring?within_days=99999", headers=chief), 422)


def test_anonymous_and_wrong_roles_are_refused(
    client: TestClient, office: Office, chief: Headers, fra: Headers
) -> None:
    problem(client.get(PEOPLE), 401)
    problem(client.post(PEOPLE, json=new_person(office)), 401)
    created = ok(client.post(PEOPLE, headers=chief, json=new_person(office, label=None)), 201)
    clearance = {"policy": "DEMO-GBR", "level": "SECRET"}
    problem(client.put(f"{PEOPLE}/{created['id']}/clearance", headers=fra, json=clearance), 403)


def test_a_french_reader_finds_no_trace_of_a_hidden_person(
    client: TestClient, node: Node, office: Office, chief: Headers, fra: Headers
) -> None:
    soon = utcnow().date() + timedelta(days=10)
    hidden = write(
        node,
        lambda session: person(
            session,
            "Blake",
            label=GBR_SECRET_LABEL,
            clearance=demo_gbr("SECRET", expires=soon),
        ),
    )
    shown = ok(client.get(f"{PEOPLE}/{hidden}", headers=chief))
    assert shown["label"] == GBR_SECRET
    problem(client.get(f"{PEOPLE}/{hidden}", headers=fra), 404)
    problem(client.patch(f"{PEOPLE}/{hidden}", headers=fra, json={"service": "RAF"}), 404)
    gbr_expiring = ok(client.get(f"{PEOPLE}/expiring?within_days=30", headers=chief))
    assert [e["person"]["id"] for e in gbr_expiring] == [str(hidden)]
    for path in (
        PEOPLE,
        f"{PEOPLE}?nation=GBR",
        f"{PEOPLE}/expiring?within_days=30",
        f"{API}/posts/{office.clerk_post}/candidates",
        f"{API}/posts/{office.liaison_post}/candidates",
    ):
        response = client.get(path, headers=fra)
        assert response.status_code == 200, (path, response.text)
        assert str(hidden) not in response.text, path
    assert (
        str(hidden) in client.get(f"{API}/posts/{office.clerk_post}/candidates", headers=chief).text
    )


def test_an_account_linked_to_a_person_reads_with_that_persons_clearance(
    client: TestClient,
    office: Office,
    chief: Headers,
    make_user: UserFactory,
    token_for: Callable[[str], str],
) -> None:
    account = make_user("ashworth", "officer", nation="GBR")  # no clearance of its own
    own = {"Authorization": f"Bearer {token_for('ashworth')}"}
    created = ok(client.post(PEOPLE, headers=chief, json=new_person(office)), 201)
    record = f"{PEOPLE}/{created['id']}"
    problem(client.get(record, headers=own), 404)  # no clearance: nothing labelled is visible
    cleared = {"policy": "NATO", "level": "SECRET"}
    ok(client.put(f"{record}/clearance", headers=chief, json=cleared))
    link = f"{API}/users/{account.id}/person"
    problem(client.put(link, headers=own, json={"person_id": created["id"]}), 403)
    linked = ok(client.put(link, headers=chief, json={"person_id": created["id"]}))
    assert linked["person_id"] == created["id"]
    assert ok(client.get(record, headers=own))["id"] == created["id"]  # the next request
    ok(client.put(link, headers=chief, json={"person_id": None}))
    problem(client.get(record, headers=own), 404)
