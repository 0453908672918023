"""Health, readiness, metrics, request ids, OpenAPI, and errors as RFC 9457 problem details."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from liaison.app import create_app
from liaison.node import Node
from liaison.settings import Settings
from liaison.store import migrate
from liaison.store.models import AuditEntry
from tests.conftest import PASSWORD, UserFactory, table_rows

PROBLEM_JSON = "application/problem+json"


def test_healthz_says_alive(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


@pytest.fixture
def fresh_node(tmp_path: Path) -> Iterator[Node]:
    """A node on an empty SQLite database that nobody has migrated."""
    settings = Settings(
        data_dir=tmp_path / "fresh",
        database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        node_name="fresh.liaison",
    )
    opened = Node.open(settings)
    yield opened
    opened.close()


def test_readyz_is_503_while_the_schema_is_behind(fresh_node: Node) -> None:
    with TestClient(create_app(fresh_node)) as client:
        empty = client.get("/readyz")
        assert empty.status_code == 503
        assert empty.headers["content-type"] == PROBLEM_JSON
        assert "liaison db upgrade" in empty.json()["detail"]
        assert client.get("/healthz").status_code == 200  # alive, just not ready

        migrate.upgrade(fresh_node.db.engine)
        assert client.get("/readyz").status_code == 200
        with fresh_node.db.engine.begin() as connection:  # as if the code were newer than the db
            connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        assert client.get("/readyz").status_code == 503


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        node_name="lonely.liaison",
    )
    node = Node.open(settings)
    try:
        with TestClient(create_app(node)) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["detail"] == "database unreachable"
        assert "nobody" not in response.text
    finally:
        node.close()


def test_metrics_count_requests(client: TestClient) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert re.search(
        r'^liaison_http_requests_total\{method="GET",route="/healthz",status="200"\} [1-9]',
        response.text,
        re.MULTILINE,
    )
    assert "liaison_http_request_seconds_bucket" in response.text


def test_unknown_routes_are_404_problem_json(client: TestClient) -> None:
    for path in ("/api/v1/no-such-thing", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM_JSON
        body = response.json()
        assert (body["status"], body["title"], body["type"]) == (404, "Not Found", "about:blank")


def test_wrong_methods_are_405_problem_json(client: TestClient) -> None:
    response = client.put("/api/v1/auth/token", json={})
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON


def test_unexpected_errors_are_500_without_details(node: Node) -> None:
    app = create_app(node)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail: the vault combination is 1234")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "vault" not in response.text
    assert response.json()["status"] == 500


def test_a_given_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123.def_4"})
    assert response.headers["x-request-id"] == "abc-123.def_4"


def test_a_request_id_is_generated_when_missing_or_unsafe(client: TestClient) -> None:
    generated = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(generated) == 3
    assert all(re.fullmatch(r"[0-9a-f]{16}", rid) for rid in generated)
    unsafe = client.get("/healthz", headers={"X-Request-ID": "evil\tid; drop"})
    assert unsafe.headers["x-request-id"] != "evil\tid; drop"
    assert re.fullmatch(r"[0-9a-f]{16}", unsafe.headers["x-request-id"])
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 65})
    assert too_long.headers["x-request-id"] != "a" * 65


def test_audit_entries_record_the_request_id(
    client: TestClient, node: Node, make_user: UserFactory
) -> None:
    make_user("alice")
    given = client.post(
        "/api/v1/auth/token",
        json={"username": "alice", "password": PASSWORD},
        headers={"X-Request-ID": "trace-given-1"},
    )
    refused = client.post("/api/v1/auth/token", json={"username": "alice", "password": "nope"})
    assert given.status_code == 200
    assert refused.status_code == 401
    generated = refused.headers["x-request-id"]
    by_request = {entry["request_id"]: entry for entry in table_rows(node, AuditEntry)}
    assert by_request["trace-given-1"]["decision"] == "granted"
    assert by_request[generated]["decision"] == "denied"
    assert by_request[None]["action"] == "user.create"  # made outside any request


def test_security_headers_are_set(client: TestClient) -> None:
    headers = client.get("/healthz").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_openapi_is_served_under_the_api_prefix(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Liaison"
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/users", "/api/v1/audit"):
        assert path in spec["paths"]
    assert "/metrics" not in spec["paths"]
    assert client.get("/openapi.json").status_code == 404
