"""The audit viewer over the API: entries for security officers, checkpoints, inclusion proofs."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.audit import log
from liaison.audit.checkpoint import Checkpoint, verify_checkpoint
from liaison.audit.merkle import verify_inclusion
from liaison.node import Node
from liaison.queries.pagination import encode_cursor
from liaison.store.types import utcnow
from tests.conftest import UserFactory, auth

AUDIT = "/api/v1/audit"


@pytest.fixture
def security(make_user: UserFactory, token_for) -> dict[str, str]:
    make_user("sofia", "security_officer")
    return auth(token_for("sofia"))


def append(node: Node, count: int, *, checkpoint: bool = True) -> None:
    with node.db.writing() as session:
        for n in range(count):
            log.append(
                session,
                None,
                "test.denied" if n % 2 else "test.granted",
                actor_name="tester",
                object_type="thing",
                object_id=f"thing-{n}",
                decision="denied" if n % 2 else "granted",
            )
        if checkpoint:
            log.checkpoint_now(session)


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_security_officers_list_entries_newest_first(
    client: TestClient, node: Node, security: dict[str, str]
) -> None:
    response = client.get(AUDIT, headers=security)
    assert response.status_code == 200
    items = response.json()["items"]
    # sofia's creation and sign-in, newest first
    assert [item["action"] for item in items] == ["auth.sign_in", "user.create"]
    assert [item["index"] for item in items] == [1, 0]
    newest = items[0]
    assert (newest["actor"], newest["decision"], newest["object_type"]) == (
        "sofia",
        "granted",
        "credential",
    )
    assert len(b64(newest["leaf_hash"])) == 32
    assert datetime.fromisoformat(newest["at"]).utcoffset() == timedelta(0)


def test_entries_are_filtered_and_paged(
    client: TestClient, node: Node, security: dict[str, str]
) -> None:
    append(node, 9, checkpoint=False)
    denied: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"decision": "denied", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get(AUDIT, headers=security, params=params).json()
        denied += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [item["object_id"] for item in denied] == ["thing-7", "thing-5", "thing-3", "thing-1"]
    assert {item["decision"] for item in denied} == {"denied"}

    by_object = client.get(AUDIT, headers=security, params={"object_id": "thing-4"}).json()
    assert [item["action"] for item in by_object["items"]] == ["test.granted"]
    by_action = client.get(AUDIT, headers=security, params={"action": "user.create"}).json()
    assert [item["object_type"] for item in by_action["items"]] == ["user"]
    future = (utcnow() + timedelta(hours=1)).isoformat()
    since = client.get(AUDIT, headers=security, params={"since": future}).json()
    assert since["items"] == []
    until = client.get(AUDIT, headers=security, params={"until": future, "limit": 500}).json()
    assert len(until["items"]) == 11


def test_officers_may_not_read_the_audit_log(
    client: TestClient, make_user: UserFactory, token_for
) -> None:
    make_user("olivia", "officer")
    officer = auth(token_for("olivia"))
    for path in (AUDIT, f"{AUDIT}/checkpoint", f"{AUDIT}/proof/0"):
        response = client.get(path, headers=officer)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get(AUDIT).status_code == 401


def test_a_malformed_audit_cursor_is_422(client: TestClient, security: dict[str, str]) -> None:
    forged = [encode_cursor(2**63), encode_cursor(-(2**63) - 1), encode_cursor(10**30)]
    for cursor in ("%%%", "eyJrIjogImFiYyJ9", *forged):  # {"k": "abc"} is not an index
        response = client.get(AUDIT, headers=security, params={"cursor": cursor})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "cursor"


def test_the_latest_checkpoint_is_signed_by_the_node(
    client: TestClient, node: Node, security: dict[str, str]
) -> None:
    missing = client.get(f"{AUDIT}/checkpoint", headers=security)
    assert missing.status_code == 404
    append(node, 5)
    body = client.get(f"{AUDIT}/checkpoint", headers=security).json()
    assert (body["origin"], body["size"]) == (node.settings.node_name, 7)
    checkpoint = Checkpoint(
        origin=body["origin"],
        size=body["size"],
        root=b64(body["root"]),
        timestamp=datetime.fromisoformat(body["timestamp"]),
        signature=b64(body["signature"]),
        key_id=body["key_id"],
    )
    assert verify_checkpoint(node.signer.key.public_key(), checkpoint)


def test_inclusion_proofs_verify_against_the_checkpoint_root(
    client: TestClient, node: Node, security: dict[str, str]
) -> None:
    append(node, 11)  # 13 entries in all, with sofia's two
    checkpoint = client.get(f"{AUDIT}/checkpoint", headers=security).json()
    size, root = checkpoint["size"], b64(checkpoint["root"])
    assert size == 13
    leaves = {
        item["index"]: b64(item["leaf_hash"])
        for item in client.get(AUDIT, headers=security, params={"limit": 100}).json()["items"]
    }
    for index in range(size):
        response = client.get(f"{AUDIT}/proof/{index}", headers=security)
        assert response.status_code == 200
        proof = response.json()
        assert proof["index"] == index
        assert proof["checkpoint"] == checkpoint
        leaf, path = b64(proof["leaf_hash"]), [b64(node) for node in proof["audit_path"]]
        assert leaf == leaves[index]
        assert verify_inclusion(index, size, leaf, path, root)
        assert not verify_inclusion((index + 1) % size, size, leaf, path, root)
        assert not verify_inclusion(index, size, leaves[(index + 1) % size], path, root)


def test_proofs_outside_the_checkpoint_are_404(
    client: TestClient, node: Node, security: dict[str, str]
) -> None:
    append(node, 3)
    size = client.get(f"{AUDIT}/checkpoint", headers=security).json()["size"]
    assert client.get(f"{AUDIT}/proof/{size}", headers=security).status_code == 404
    assert client.get(f"{AUDIT}/proof/-1", headers=security).status_code == 404
    assert client.get(f"{AUDIT}/proof/{10**30}", headers=security).status_code == 404
    assert client.get(f"{AUDIT}/proof/first", headers=security).status_code == 422


@pytest.mark.parametrize("param", ["since", "until"])
def test_a_timestamp_without_a_timezone_is_422(
    client: TestClient, security: dict[str, str], param: str
) -> None:
    response = client.get(AUDIT, headers=security, params={param: "2026-11-24T15:30:00"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [f"query.{param}"]
