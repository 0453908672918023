from fastapi.testclient import TestClient

from tests.conftest import auth


def test_token_me_and_revoke(client: TestClient, make_user, token_for) -> None:
    make_user("alice", "officer", nation="FRA")
    token = token_for("alice")
    response = client.get("/api/v1/me", headers=auth(token))
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["nation"] == "FRA"
    assert client.delete("/api/v1/auth/token", headers=auth(token)).status_code == 204
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401
