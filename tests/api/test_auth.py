"""Signing in over the API: tokens, refusals that reveal nothing, revocation, sessions and CSRF."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pyotp
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from liaison.actions.accounts import secret_digest
from liaison.http.deps import SESSION_COOKIE
from liaison.node import Node
from liaison.store.models import AuditEntry, Credential
from liaison.store.types import utcnow
from tests.conftest import PASSWORD, UserFactory, auth, sign_in, table_rows

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/me"


def request_token(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    return client.post(TOKEN, json={"username": username, "password": password})


def assert_refused(response: Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_is_issued_for_the_right_password(
    client: TestClient, node: Node, make_user: UserFactory
) -> None:
    make_user("alice", nation="FRA")
    before = utcnow()
    response = request_token(client, "Alice")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_at"}
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("lia_")
    expires_at = datetime.fromisoformat(body["expires_at"])
    ttl = timedelta(minutes=node.accounts.token_ttl_minutes)
    assert before + ttl - timedelta(seconds=1) <= expires_at <= utcnow() + ttl
    me = client.get(ME, headers=auth(body["access_token"]))
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["nation"]) == ("alice", "FRA")


def test_wrong_password_unknown_user_and_locked_account_look_the_same(
    client: TestClient, make_user: UserFactory
) -> None:
    make_user("alice")
    wrong = request_token(client, "alice", "not-the-password-at-all")
    unknown = request_token(client, "nobody", "not-the-password-at-all")
    for _ in range(4):  # the fifth failure in all locks the account
        request_token(client, "alice", "not-the-password-at-all")
    locked = request_token(client, "alice")  # the right password, but locked
    for response in (wrong, unknown, locked):
        assert_refused(response)
    assert wrong.json() == unknown.json() == locked.json()
    assert wrong.json()["status"] == 401
    assert "alice" not in wrong.text
    assert "lock" not in locked.text.lower()


def test_me_describes_the_caller(client: TestClient, make_user: UserFactory, token_for) -> None:
    user = make_user("alice", "officer", "releasing_officer", nation="DEU")
    response = client.get(ME, headers=auth(token_for("alice")))
    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.id),
        "username": "alice",
        "display_name": "Alice",
        "nation": "DEU",
        "roles": ["officer", "releasing_officer"],
    }


def test_requests_without_valid_credentials_are_refused(
    client: TestClient, make_user: UserFactory, token_for
) -> None:
    make_user("alice")
    token = token_for("alice")
    for headers in (
        {},
        auth("lia_not-a-real-token"),
        auth("not-even-our-prefix"),
        {"Authorization": f"Basic {token}"},
        auth(token + "x"),
    ):
        response = client.get(ME, headers=headers)
        assert_refused(response)
        assert response.json()["title"] == "Unauthorized"


def test_a_revoked_token_is_refused(
    client: TestClient, node: Node, make_user: UserFactory, token_for
) -> None:
    make_user("alice")
    token = token_for("alice")
    assert client.get(ME, headers=auth(token)).status_code == 200  # now cached
    assert client.delete(TOKEN, headers=auth(token)).status_code == 204
    assert_refused(client.get(ME, headers=auth(token)))
    assert_refused(client.delete(TOKEN, headers=auth(token)))
    (credential,) = table_rows(node, Credential)
    assert credential["revoked_at"] is not None
    assert "auth.sign_out" in {entry["action"] for entry in table_rows(node, AuditEntry)}


def test_an_expired_token_is_refused(
    client: TestClient, node: Node, make_user: UserFactory, token_for
) -> None:
    make_user("alice")
    expired, live = token_for("alice"), token_for("alice")
    with node.db.writing() as session:
        session.execute(
            update(Credential)
            .where(Credential.secret_hash == secret_digest(expired))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert_refused(client.get(ME, headers=auth(expired)))
    assert client.get(ME, headers=auth(live)).status_code == 200


def test_token_requests_of_the_wrong_shape_are_422(client: TestClient) -> None:
    response = client.post(TOKEN, json={"username": "alice"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["body.password"]
    bad_otp = client.post(TOKEN, json={"username": "alice", "password": "x", "otp": "12ab56"})
    assert bad_otp.status_code == 422
    assert "body.otp" in {error["field"] for error in bad_otp.json()["errors"]}


def test_totp_enrolment_over_the_api_then_tokens_need_the_code(
    client: TestClient, make_user: UserFactory, token_for
) -> None:
    make_user("alice")
    headers = auth(token_for("alice"))
    begun = client.post(f"{ME}/totp", headers=headers)
    assert begun.status_code == 201
    totp = pyotp.parse_uri(begun.json()["provisioning_uri"])
    assert isinstance(totp, pyotp.TOTP)
    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"
    refused = client.post(f"{ME}/totp/confirm", headers=headers, json={"otp": wrong})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "otp", "message": "that code does not match"}]
    confirmed = client.post(f"{ME}/totp/confirm", headers=headers, json={"otp": totp.now()})
    assert confirmed.status_code == 204

    assert_refused(request_token(client, "alice"))
    next_code = totp.at(time.time() + totp.interval)  # the confirmation's code is spent
    with_code = {"username": "alice", "password": PASSWORD, "otp": next_code}
    assert client.post(TOKEN, json=with_code).status_code == 200
    assert_refused(client.post(TOKEN, json=with_code))  # and so is this one now


# --- browser sessions ---------------------------------------------------------------------


def session_cookie(client: TestClient, node: Node, username: str) -> str:
    """Sign in as the web login does, and hold the cookie; returns the CSRF token."""
    outcome = sign_in(node, username, kind="session")
    assert outcome.secret is not None
    assert outcome.credential is not None
    assert outcome.credential.csrf_token is not None
    client.cookies.set(SESSION_COOKIE, outcome.secret)
    return outcome.credential.csrf_token


def test_a_session_cookie_reads_without_csrf_but_writes_need_it(
    client: TestClient, node: Node, make_user: UserFactory
) -> None:
    make_user("alice")
    csrf = session_cookie(client, node, "alice")
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"

    missing = client.post(f"{ME}/totp")
    assert missing.status_code == 403
    assert missing.headers["content-type"] == "application/problem+json"
    assert "CSRF" in missing.json()["detail"]
    assert client.post(f"{ME}/totp", headers={"X-CSRF-Token": csrf[:-1] + "x"}).status_code == 403
    assert not [e for e in table_rows(node, AuditEntry) if e["action"] == "auth.totp_begin"]

    allowed = client.post(f"{ME}/totp", headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 201
    assert [e for e in table_rows(node, AuditEntry) if e["action"] == "auth.totp_begin"]


def test_signing_out_a_session_needs_csrf_and_ends_it(
    client: TestClient, node: Node, make_user: UserFactory
) -> None:
    make_user("alice")
    csrf = session_cookie(client, node, "alice")
    assert client.delete(TOKEN).status_code == 403
    assert client.get(ME).status_code == 200
    assert client.delete(TOKEN, headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_refused(client.get(ME))


def test_sessions_and_api_tokens_are_not_interchangeable(
    client: TestClient, node: Node, make_user: UserFactory, token_for
) -> None:
    make_user("alice")
    session_secret = sign_in(node, "alice", kind="session").secret
    assert session_secret is not None
    assert_refused(client.get(ME, headers=auth(session_secret)))
    client.cookies.set(SESSION_COOKIE, token_for("alice"))
    assert_refused(client.get(ME))
