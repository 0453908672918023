"""The user directory over the API: administrators only, validated input, cursor pagination."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.actions.accounts import do_set_language
from liaison.domain.errors import Invalid
from liaison.node import Node
from liaison.store.models import User
from tests.conftest import UserFactory, auth, table_rows

USERS = "/api/v1/users"
NEW_PASSWORD = "tangerine-ocelot-harbour-91"


def new_user(username: str, **changes: Any) -> dict[str, Any]:
    body = {
        "username": username,
        "display_name": username.title(),
        "nation": "FRA",
        "roles": ["officer"],
        "password": NEW_PASSWORD,
    }
    body.update(changes)
    return body


@pytest.fixture
def admin(make_user: UserFactory, token_for) -> dict[str, str]:
    make_user("root", "admin")
    return auth(token_for("root"))


@pytest.fixture
def officer(make_user: UserFactory, token_for) -> dict[str, str]:
    make_user("olivia", "officer")
    return auth(token_for("olivia"))


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


def test_an_admin_creates_a_user(client: TestClient, node: Node, admin: dict[str, str]) -> None:
    response = client.post(USERS, headers=admin, json=new_user("Fra.LNO", nation="fra"))
    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["nation"], body["roles"]) == ("fra.lno", "FRA", ["officer"])
    assert (body["version"], body["is_active"], body["totp_enabled"]) == (1, True, False)
    assert body["origin"] == node.settings.node_name
    assert "password" not in response.text
    assert NEW_PASSWORD not in response.text
    assert uuid.UUID(body["id"]).version == 7
    (row,) = table_rows(node, User, User.username == "fra.lno")
    assert str(row["id"]) == body["id"]


def test_users_are_listed_page_by_page(
    client: TestClient, admin: dict[str, str], officer: dict[str, str]
) -> None:
    for name in ("carol", "dave"):
        assert client.post(USERS, headers=admin, json=new_user(name)).status_code == 201
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor is not None:
            params["cursor"] = cursor
        response = client.get(USERS, headers=admin, params=params)
        assert response.status_code == 200
        page = response.json()
        assert len(page["items"]) <= 3
        seen += [item["username"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 2
    assert seen == ["root", "olivia", "carol", "dave"]  # ids are UUIDv7: creation order


def test_officers_may_not_list_or_create_users(
    client: TestClient, node: Node, officer: dict[str, str]
) -> None:
    assert "admin" in assert_problem(client.get(USERS, headers=officer), 403)["detail"]
    assert_problem(client.post(USERS, headers=officer, json=new_user("mallory")), 403)
    assert table_rows(node, User, User.username == "mallory") == []


def test_anonymous_callers_are_asked_to_authenticate(client: TestClient) -> None:
    for response in (client.get(USERS), client.post(USERS, json=new_user("mallory"))):
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_malformed_json_is_422_naming_the_problem(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.post(
        USERS, headers={**admin, "Content-Type": "application/json"}, content=b'{"username": '
    )
    body = assert_problem(response, 422)
    assert body["errors"]
    assert all(error["field"].startswith("body") and error["message"] for error in body["errors"])


def test_missing_and_mistyped_fields_are_listed(client: TestClient, admin: dict[str, str]) -> None:
    body = assert_problem(client.post(USERS, headers=admin, json={"username": "x"}), 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"body.username", "body.nation", "body.roles", "body.password"}
    mistyped = client.post(USERS, headers=admin, json=new_user("erin", roles="officer"))
    assert {error["field"] for error in assert_problem(mistyped, 422)["errors"]} == {"body.roles"}


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"nation": "XXX"}, "nation", "'XXX'"),
        ({"roles": ["overlord"]}, "roles", "overlord"),
        ({"password": "password1234"}, "password", "common"),
        ({"username": "9lives"}, "username", "username must be"),
    ],
)
def test_rule_breaking_input_is_422_naming_the_field(
    client: TestClient,
    node: Node,
    admin: dict[str, str],
    changes: dict[str, Any],
    field: str,
    fragment: str,
) -> None:
    response = client.post(USERS, headers=admin, json={**new_user("erin"), **changes})
    (error,) = assert_problem(response, 422)["errors"]
    assert error["field"] == field
    assert fragment in error["message"]
    assert [row["username"] for row in table_rows(node, User)] == ["root"]


def test_a_taken_username_is_409(client: TestClient, admin: dict[str, str]) -> None:
    assert client.post(USERS, headers=admin, json=new_user("erin")).status_code == 201
    assert (
        "taken"
        in assert_problem(client.post(USERS, headers=admin, json=new_user("ERIN")), 409)["detail"]
    )


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor!"},
        {"cursor": "eyJrIjogdHJ1ZX0"},  # {"k": true}
        {"cursor": "eyJrIjogIm5vdC1hLXV1aWQifQ"},  # {"k": "not-a-uuid"}
        {"limit": 0},
        {"limit": 501},
    ],
)
def test_malformed_cursors_and_limits_are_422(
    client: TestClient, admin: dict[str, str], params: dict[str, Any]
) -> None:
    body = assert_problem(client.get(USERS, headers=admin, params=params), 422)
    assert body["errors"][0]["field"] in {"cursor", "limit"}


def test_a_user_reads_their_own_record_but_not_others(
    client: TestClient, make_user: UserFactory, token_for, officer: dict[str, str]
) -> None:
    other = make_user("bob")
    me = client.get("/api/v1/me", headers=officer).json()
    own = client.get(f"{USERS}/{me['id']}", headers=officer)
    assert own.status_code == 200
    assert own.headers["etag"] == '"1"'
    assert_problem(client.get(f"{USERS}/{other.id}", headers=officer), 403)
    assert_problem(client.get(f"{USERS}/{uuid.uuid4()}", headers=auth(token_for("bob"))), 403)
    assert client.get(f"{USERS}/not-a-uuid", headers=officer).status_code == 422


def test_an_unknown_user_is_404(client: TestClient, admin: dict[str, str]) -> None:
    assert_problem(client.get(f"{USERS}/{uuid.uuid4()}", headers=admin), 404)


def test_edits_need_the_current_version(
    client: TestClient, make_user: UserFactory, admin: dict[str, str]
) -> None:
    user = make_user("bob")
    url = f"{USERS}/{user.id}"
    etag = client.get(url, headers=admin).headers["etag"]
    first = client.patch(url, headers={**admin, "If-Match": etag}, json={"display_name": "Bob B"})
    assert first.status_code == 200
    assert first.headers["etag"] == '"2"'
    assert first.json()["display_name"] == "Bob B"
    stale = client.patch(url, headers={**admin, "If-Match": etag}, json={"display_name": "Lost"})
    assert_problem(stale, 412)
    assert_problem(client.patch(url, headers={**admin, "If-Match": "*?"}, json={}), 412)
    assert client.get(url, headers=admin).json()["display_name"] == "Bob B"


def test_deactivating_a_user_ends_their_access_at_once(
    client: TestClient, make_user: UserFactory, token_for, admin: dict[str, str]
) -> None:
    user = make_user("bob")
    token = auth(token_for("bob"))
    assert client.get("/api/v1/me", headers=token).status_code == 200  # now cached
    response = client.patch(f"{USERS}/{user.id}", headers=admin, json={"is_active": False})
    assert response.status_code == 200
    assert_problem(client.get("/api/v1/me", headers=token), 401)


def test_a_user_sets_their_own_language_and_nothing_else(
    node: Node, make_user: UserFactory
) -> None:
    user = make_user("lang.tester")
    with node.db.writing() as session:
        assert do_set_language(session, user.principal(), "fr").language == "fr"
    with node.db.writing() as session, pytest.raises(Invalid):
        do_set_language(session, user.principal(), "de")
