"""Browser sign-in: the form's CSRF token, the session cookie, sign-out, and the headers."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.http.deps import SESSION_COOKIE
from liaison.web.routes import LOGIN_CSRF_COOKIE
from tests.conftest import PASSWORD, UserFactory


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )


def test_home_sends_strangers_to_the_sign_in_page(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_the_sign_in_page_has_labelled_fields_and_strict_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    for field in ("username", "password", "otp"):  # the code is always offered: see test_pages
        assert f'<label for="{field}">' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"]
    assert LOGIN_CSRF_COOKIE in cookie
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()


def test_signing_in_sets_an_http_only_session_cookie(
    client: TestClient, make_user: UserFactory
) -> None:
    make_user("alice", nation="FRA")
    response = sign_in(client, "alice")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=lia_")
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    home = client.get("/")
    assert home.status_code == 200
    assert "Alice" in home.text
    assert "FRA" in home.text


def test_a_session_cookie_is_marked_secure_when_the_node_says_so(
    client: TestClient, make_user: UserFactory
) -> None:
    make_user("alice")
    client.app.state.node.settings.cookie_secure = True  # type: ignore[attr-defined]
    response = sign_in(client, "alice")
    assert "secure" in response.headers["set-cookie"].lower()


def test_a_wrong_password_is_refused_without_a_session(
    client: TestClient, make_user: UserFactory
) -> None:
    make_user("alice")
    response = sign_in(client, "alice", "not-the-password-at-all")
    assert response.status_code == 401
    assert "Sign-in refused" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_forged_sign_in_form_is_refused(client: TestClient, make_user: UserFactory) -> None:
    make_user("alice")
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_sign_out_needs_the_session_csrf_token_and_revokes_the_session(
    client: TestClient, make_user: UserFactory
) -> None:
    make_user("alice")
    sign_in(client, "alice")
    token = form_token(client.get("/").text)
    forged = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "set-cookie" not in forged.headers
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in

    cookie = client.cookies.get(SESSION_COOKIE)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie or "")
    assert client.get("/", follow_redirects=False).status_code == 303  # revoked, not just unset
    assert client.get("/api/v1/me").status_code == 401


def test_the_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/liaison.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]
