"""Channels and messages over HTTP: each member sees exactly the messages their clearance
allows, bad input is refused with a clear answer, a flood is answered 429 without losing what
was answered 201, edits, precedence and acknowledgement, date-time groups in the reader's zone,
help across languages and mention notifications.

A channel or message the caller may not see must look exactly like one that does not exist,
on every route: same status, same body.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from liaison.actions.glossary import do_import_glossary
from liaison.domain.glossary import GlossaryEntry
from liaison.http.rate_limit import TokenBuckets
from liaison.node import Node
from tests.conftest import auth, write
from tests.org_fixtures import ADMIN, GBR_SECRET
from tests.report_fixtures import World, build_world

RELEASABLE = "Releasable To"
OUTSIDERS = ("usa.reader", "gbr.uncleared")
DTG = re.compile(r"^\d{6}Z[A-Z]{3}\d{2}$")


def nato(classification: str, *releasable: str) -> dict[str, Any]:
    categories = (
        [{"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": sorted(releasable)}]
        if releasable
        else []
    )
    return {"policy": "NATO", "classification": classification, "categories": categories}


SECRET_GBR = nato("SECRET", "GBR")
SECRET_GBR_FRA = nato("SECRET", "GBR", "FRA")


def member(kind: str, value: str) -> dict[str, str]:
    return {"kind": kind, "value": value}


class Api:
    """The test client, signed in as whoever is named (tokens issued once per user)."""

    def __init__(self, client: TestClient, token_for: Callable[[str], str]) -> None:
        self.client = client
        self._token_for = token_for
        self._tokens: dict[str, str] = {}

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        if who not in self._tokens:
            self._tokens[who] = self._token_for(who)
        return auth(self._tokens[who]) | extra

    def call(
        self,
        method: str,
        who: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        return self.client.request(
            method.upper(), f"/api/v1{path}", headers=self.headers(who, **(headers or {})), **kw
        )

    def get(self, who: str, path: str, **kw: Any) -> httpx.Response:
        return self.call("get", who, path, **kw)

    def post(self, who: str, path: str, **kw: Any) -> httpx.Response:
        return self.call("post", who, path, **kw)

    def patch(self, who: str, path: str, **kw: Any) -> httpx.Response:
        return self.call("patch", who, path, **kw)

    def put(self, who: str, path: str, **kw: Any) -> httpx.Response:
        return self.call("put", who, path, **kw)

    def delete(self, who: str, path: str, **kw: Any) -> httpx.Response:
        return self.call("delete", who, path, **kw)


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


@pytest.fixture
def api(client: TestClient, token_for: Callable[[str], str], world: World) -> Api:
    return Api(client, token_for)


def make_channel(
    api: Api,
    world: World,
    *nations: str,
    ceiling: dict[str, Any] | None = None,
    who: str = "gbr.author",
) -> str:
    response = api.post(
        who,
        "/channels",
        json={
            "name": "Corps liaison net",
            "kind": "activity",
            "ceiling": ceiling or nato("SECRET", "GBR", "FRA", "NATO"),
            "office_id": str(world.corps.uk_office),
            "members": [member("nation", n) for n in nations or ("GBR", "FRA")],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def post(api: Api, who: str, channel_id: str, body: str, **given: Any) -> dict[str, Any]:
    response = api.post(who, f"/channels/{channel_id}/messages", json={"body": body} | given)
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    return response.json()


def messages(api: Api, who: str, channel_id: str, **params: Any) -> list[dict[str, Any]]:
    """The channel's messages as `who` sees them, oldest first."""
    response = api.get(who, f"/channels/{channel_id}/messages", params=params)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["items"]))


def bodies(api: Api, who: str, channel_id: str) -> list[str]:
    return [m["body"] for m in messages(api, who, channel_id)]


def assert_hidden(
    api: Api, who: str, method: str, template: str, ids: dict[str, str], **kw: Any
) -> None:
    call = getattr(api, method)
    real = call(who, template.format(**ids), **kw)
    assert real.status_code == 404, (who, template, real.status_code, real.text)
    for name in ids:
        fake = call(who, template.format(**(ids | {name: str(uuid.uuid4())})), **kw)
        assert fake.status_code == 404, (who, template, name, fake.text)
        assert real.json() == fake.json(), (who, template, name)
        assert real.headers["content-type"] == fake.headers["content-type"]


MESSAGE_READS = [
    ("get", "/channels/{channel}/messages/{message}/acknowledgements", {}),
    ("get", "/channels/{channel}/messages/{message}/help", {"params": {"target": "fr"}}),
]
MESSAGE_WRITES = [
    ("post", "/channels/{channel}/messages/{message}/acknowledge", {}),
    ("patch", "/channels/{channel}/messages/{message}", {"json": {"body": "Mine now."}}),
    ("delete", "/channels/{channel}/messages/{message}", {}),
]


# --- 1. who sees what -----------------------------------------------------------------------


@pytest.fixture
def net(api: Api, world: World) -> dict[str, Any]:
    """A GBR-FRA channel holding a default-labelled, a GBR-only and a GBR-FRA message."""
    channel_id = make_channel(api, world, "GBR", "FRA")
    plain = post(api, "gbr.author", channel_id, "Bridge at grid 34U open.")
    uk_only = post(api, "gbr.author", channel_id, "UK eyes only detail.", label=SECRET_GBR)
    joint = post(
        api, "gbr.author", channel_id, "Joint plan for the crossing.", label=SECRET_GBR_FRA
    )
    return {"channel": channel_id, "plain": plain, "uk_only": uk_only, "joint": joint}


def test_each_member_sees_exactly_what_their_clearance_allows(
    api: Api, net: dict[str, Any]
) -> None:
    channel_id = net["channel"]
    plain, uk_only, joint = net["plain"], net["uk_only"], net["joint"]
    assert "SECRET" not in plain["marking"]
    assert "SECRET" in uk_only["marking"]
    assert "France" not in uk_only["marking"]
    assert "SECRET" in joint["marking"]
    assert "France" in joint["marking"]

    seen = messages(api, "fra.reader", channel_id)
    assert [(m["id"], m["body"], m["marking"]) for m in seen] == [
        (plain["id"], "Bridge at grid 34U open.", plain["marking"]),
        (joint["id"], "Joint plan for the crossing.", joint["marking"]),
    ]
    assert [m["label"] for m in seen] == [plain["label"], joint["label"]]
    listed = api.get("fra.reader", f"/channels/{channel_id}/messages").text
    assert "UK eyes only" not in listed
    assert uk_only["id"] not in listed

    assert [(m["id"], m["body"]) for m in messages(api, "gbr.fdo", channel_id)] == [
        (plain["id"], "Bridge at grid 34U open."),
        (uk_only["id"], "UK eyes only detail."),
        (joint["id"], "Joint plan for the crossing."),
    ]
    assert [m["marking"] for m in messages(api, "gbr.fdo", channel_id)] == [
        plain["marking"],
        uk_only["marking"],
        joint["marking"],
    ]

    # the channel is listed for its members
    for who in ("gbr.fdo", "fra.reader"):
        assert channel_id in [c["id"] for c in api.get(who, "/channels").json()]


def test_the_french_reader_cannot_reach_the_uk_only_message(api: Api, net: dict[str, Any]) -> None:
    ids = {"channel": net["channel"], "message": net["uk_only"]["id"]}
    for method, template, kw in MESSAGE_READS + MESSAGE_WRITES:
        assert_hidden(api, "fra.reader", method, template, ids, **kw)
    # the message is untouched by those attempts
    assert bodies(api, "gbr.fdo", net["channel"])[1] == "UK eyes only detail."

    # nor may it be used as a thread, to reply to or to read
    replies = [
        api.post(
            "fra.reader",
            f"/channels/{net['channel']}/messages",
            json={"body": "Reply.", "thread_id": thread},
        )
        for thread in (net["uk_only"]["id"], str(uuid.uuid4()))
    ]
    assert replies[0].status_code == replies[1].status_code == 404
    assert replies[0].json() == replies[1].json()
    hidden_thread = api.get(
        "fra.reader",
        f"/channels/{net['channel']}/messages",
        params={"thread_id": net["uk_only"]["id"]},
    )
    random_thread = api.get(
        "fra.reader",
        f"/channels/{net['channel']}/messages",
        params={"thread_id": str(uuid.uuid4())},
    )
    assert hidden_thread.status_code == random_thread.status_code
    assert hidden_thread.json() == random_thread.json()
    assert "UK eyes only" not in hidden_thread.text


def test_a_reader_cleared_to_restricted_sees_only_the_default_message(
    api: Api, net: dict[str, Any]
) -> None:
    assert [m["id"] for m in messages(api, "gbr.low", net["channel"])] == [net["plain"]["id"]]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_no_read_path_shows_the_channel_to_an_outsider(
    api: Api, net: dict[str, Any], outsider: str
) -> None:
    channel_id = net["channel"]
    assert_hidden(api, outsider, "get", "/channels/{channel}", {"channel": channel_id})
    assert_hidden(api, outsider, "get", "/channels/{channel}/messages", {"channel": channel_id})
    assert_hidden(
        api,
        outsider,
        "get",
        "/channels/{channel}/messages",
        {"channel": channel_id},
        params={"thread_id": net["plain"]["id"]},
    )
    for name in ("plain", "uk_only", "joint"):
        ids = {"channel": channel_id, "message": net[name]["id"]}
        for method, template, kw in MESSAGE_READS + MESSAGE_WRITES:
            assert_hidden(api, outsider, method, template, ids, **kw)
    # nor may an outsider post into it, or change its members
    assert_hidden(
        api,
        outsider,
        "post",
        "/channels/{channel}/messages",
        {"channel": channel_id},
        json={"body": "Hello?"},
    )
    assert_hidden(
        api,
        outsider,
        "post",
        "/channels/{channel}/members",
        {"channel": channel_id},
        json={"members": [member("nation", "USA")]},
    )

    listed = api.get(outsider, "/channels")
    assert listed.status_code == 200
    assert listed.json() == []
    assert "Corps liaison net" not in listed.text
    # nothing changed for the members
    assert len(bodies(api, "gbr.fdo", channel_id)) == 3


# --- 2. bad input ---------------------------------------------------------------------------


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


def test_labels_above_the_ceiling_or_the_author_are_refused(api: Api, world: World) -> None:
    low_net = make_channel(api, world, "GBR", ceiling=nato("RESTRICTED", "GBR", "FRA", "NATO"))
    refused = api.post(
        "gbr.author",
        f"/channels/{low_net}/messages",
        json={"body": "Too high.", "label": SECRET_GBR},
    )
    body = problem(refused, 422)
    assert "ceiling" in body["detail"]
    assert body["errors"][0]["field"] == "label"

    open_net = make_channel(api, world, "GBR")
    refused = api.post(
        "gbr.low",
        f"/channels/{open_net}/messages",
        json={"body": "Too high.", "label": SECRET_GBR},
    )
    assert "clearance" in problem(refused, 422)["detail"]
    assert bodies(api, "gbr.fdo", low_net) == []
    assert bodies(api, "gbr.fdo", open_net) == []


def test_a_body_over_16_kb_is_refused(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR")
    # 16 KB + 1 in UTF-8, though far fewer characters: the limit is in bytes
    too_long = "é" * (8 * 1024) + "x"
    assert len(too_long.encode()) == 16 * 1024 + 1
    problem(api.post("gbr.author", f"/channels/{net}/messages", json={"body": too_long}), 413)
    exactly = "é" * (8 * 1024)
    post(api, "gbr.author", net, exactly)
    assert bodies(api, "gbr.fdo", net) == [exactly]
    # nor may an edit grow past it
    message = messages(api, "gbr.author", net)[0]
    problem(
        api.patch(
            "gbr.author", f"/channels/{net}/messages/{message['id']}", json={"body": too_long}
        ),
        413,
    )
    assert bodies(api, "gbr.fdo", net) == [exactly]


def test_a_request_over_the_node_limit_is_refused(api: Api, world: World, node: Node) -> None:
    net = make_channel(api, world, "GBR")
    limit = node.settings.request_max_bytes
    assert limit == 1024 * 1024
    huge = json.dumps({"body": "x" * limit}).encode()
    response = api.post(
        "gbr.author",
        f"/channels/{net}/messages",
        content=huge,
        headers={"Content-Type": "application/json"},
    )
    assert str(limit) in problem(response, 413)["detail"]

    assert bodies(api, "gbr.fdo", net) == []


def test_a_streamed_request_over_the_node_limit_is_refused_413(
    api: Api, world: World, node: Node
) -> None:
    net = make_channel(api, world, "GBR")
    huge = json.dumps({"body": "x" * node.settings.request_max_bytes}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(huge), 64 * 1024):
            yield huge[start : start + 64 * 1024]

    response = api.post(
        "gbr.author",
        f"/channels/{net}/messages",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert bodies(api, "gbr.fdo", net) == []
    assert str(node.settings.request_max_bytes) in problem(response, 413)["detail"]


def cursor_of(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "!!!",
        "é",
        cursor_of("not a uuid"),
        cursor_of(5),
        cursor_of(True),
        cursor_of(2**70),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_malformed_cursor_is_refused_clearly(api: Api, net: dict[str, Any], cursor: str) -> None:
    response = api.get("gbr.fdo", f"/channels/{net['channel']}/messages", params={"cursor": cursor})
    body = problem(response, 422)
    assert "malformed cursor" in body["detail"]


def test_pages_follow_the_cursor(api: Api, net: dict[str, Any]) -> None:
    channel_id = net["channel"]
    first = api.get("gbr.fdo", f"/channels/{channel_id}/messages", params={"limit": 2}).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    rest = api.get(
        "gbr.fdo",
        f"/channels/{channel_id}/messages",
        params={"limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert rest["next_cursor"] is None
    assert [m["id"] for m in first["items"] + rest["items"]] == [
        net["joint"]["id"],
        net["uk_only"]["id"],
        net["plain"]["id"],
    ]
    # the French reader's pages never count the message they may not see
    page = api.get("fra.reader", f"/channels/{channel_id}/messages", params={"limit": 1}).json()
    after = api.get(
        "fra.reader",
        f"/channels/{channel_id}/messages",
        params={"limit": 1, "cursor": page["next_cursor"]},
    ).json()
    assert [m["id"] for m in page["items"] + after["items"]] == [
        net["joint"]["id"],
        net["plain"]["id"],
    ]
    problem(api.get("gbr.fdo", f"/channels/{channel_id}/messages", params={"limit": 0}), 422)


def test_an_unknown_precedence_is_refused(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR")
    response = api.post(
        "gbr.author", f"/channels/{net}/messages", json={"body": "Hi.", "precedence": "URGENT"}
    )
    body = problem(response, 422)
    assert any("precedence" in error["field"] for error in body["errors"])
    assert bodies(api, "gbr.fdo", net) == []


# --- 3. flood -------------------------------------------------------------------------------


def test_a_flood_is_answered_429_and_nothing_answered_201_is_lost(
    api: Api, world: World, client: TestClient
) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    client.app.state.post_limits = TokenBuckets(1, 3)  # type: ignore[attr-defined]
    accepted: list[str] = []
    refused: list[str] = []
    for n in range(8):
        text = f"Flood message {n}."
        response = api.post("gbr.author", f"/channels/{net}/messages", json={"body": text})
        if response.status_code == 201:
            accepted.append(response.json()["id"])
            assert response.json()["body"] == text
        else:
            body = problem(response, 429)
            assert "too fast" in body["detail"]
            assert int(response.headers["Retry-After"]) >= 1
            refused.append(text)
    assert len(accepted) == 3
    assert len(refused) == 5

    listed = messages(api, "gbr.fdo", net)
    assert [m["id"] for m in listed] == accepted
    assert not set(refused) & {m["body"] for m in listed}

    # the limit is the flooder's own: another member may still post
    post(api, "fra.reader", net, "Not flooding.")
    assert len(messages(api, "gbr.fdo", net)) == 4


# --- 4. edits and deletions -----------------------------------------------------------------


def test_edits_need_the_current_etag_and_the_author(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    message = post(api, "gbr.author", net, "Convoy at 1400.")
    path = f"/channels/{net}/messages/{message['id']}"
    first_etag = f'"{message["version"]}"'

    edited = api.patch(
        "gbr.author", path, json={"body": "Convoy at 1500."}, headers={"If-Match": first_etag}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "Convoy at 1500."
    assert edited.json()["edited_at"] is not None
    assert edited.headers["ETag"] != first_etag
    assert edited.headers["ETag"] == f'"{edited.json()["version"]}"'
    assert bodies(api, "fra.reader", net) == ["Convoy at 1500."]

    stale = api.patch(
        "gbr.author", path, json={"body": "Convoy at 1600."}, headers={"If-Match": first_etag}
    )
    problem(stale, 412)
    assert bodies(api, "fra.reader", net) == ["Convoy at 1500."]
    problem(
        api.patch("gbr.author", path, json={"body": "x"}, headers={"If-Match": "not-an-etag"}),
        412,
    )

    # another member may not change or delete it
    current = edited.headers["ETag"]
    for who in ("gbr.fdo", "fra.reader"):
        problem(
            api.patch(who, path, json={"body": "Mine now."}, headers={"If-Match": current}), 403
        )
        problem(api.delete(who, path, headers={"If-Match": current}), 403)
    assert bodies(api, "gbr.fdo", net) == ["Convoy at 1500."]

    # nor reach it through another channel's path
    other = make_channel(api, world, "GBR")
    assert_hidden(
        api,
        "gbr.author",
        "patch",
        f"/channels/{other}/messages/{{message}}",
        {"message": message["id"]},
        json={"body": "Moved."},
    )


def test_relabelling_a_message_hides_it_from_readers_no_longer_cleared(
    api: Api, world: World
) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    message = post(api, "gbr.author", net, "Joint detail.", label=SECRET_GBR_FRA)
    path = f"/channels/{net}/messages/{message['id']}"
    changed = api.patch("gbr.author", path, json={"body": "UK detail now.", "label": SECRET_GBR})
    assert changed.status_code == 200, changed.text
    assert bodies(api, "fra.reader", net) == []
    assert "UK detail now." not in api.get("fra.reader", f"/channels/{net}/messages").text
    assert_hidden(
        api,
        "fra.reader",
        "get",
        "/channels/{channel}/messages/{message}/help",
        {"channel": net, "message": message["id"]},
        params={"target": "fr"},
    )
    assert bodies(api, "gbr.fdo", net) == ["UK detail now."]


def test_a_deleted_message_remains_as_a_tombstone(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    message = post(api, "gbr.author", net, "Convoy at 1400.")
    kept = post(api, "gbr.author", net, "Still here.")
    path = f"/channels/{net}/messages/{message['id']}"
    problem(api.delete("gbr.author", path, headers={"If-Match": '"999"'}), 412)
    assert bodies(api, "fra.reader", net) == ["Convoy at 1400.", "Still here."]

    gone = api.delete("gbr.author", path, headers={"If-Match": f'"{message["version"]}"'})
    assert gone.status_code == 204, gone.text
    for who in ("gbr.fdo", "fra.reader"):
        listed = messages(api, who, net)
        assert [m["id"] for m in listed] == [message["id"], kept["id"]]
        tomb = listed[0]
        assert tomb["deleted"] is True
        assert tomb["body"] == ""
        assert listed[1]["deleted"] is False
        assert listed[1]["body"] == "Still here."
        assert "Convoy at 1400." not in api.get(who, f"/channels/{net}/messages").text
    # the help route tells nothing of what was said either
    helped = api.get("fra.reader", f"{path}/help", params={"target": "fr"})
    assert helped.status_code == 200, helped.text
    assert "Convoy" not in helped.text


# --- 5. precedence and acknowledgement ------------------------------------------------------


def test_a_flash_asks_for_acknowledgement(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    flash = post(
        api, "gbr.author", net, "Bridge down, reroute.", precedence="FLASH", ack_required=True
    )
    assert flash["precedence"] == "FLASH"
    assert flash["ack_required"] is True
    board_path = f"/channels/{net}/messages/{flash['id']}/acknowledgements"

    before = api.get("gbr.author", board_path).json()
    assert before["acknowledged"] == 0
    waiting_names = {line["display_name"] for line in before["readers"]}
    assert "Fra Reader" in waiting_names
    assert "Gbr Fdo" in waiting_names
    assert not waiting_names & {"Usa Reader", "Gbr Uncleared", "Gbr Author"}

    done = api.post("fra.reader", f"/channels/{net}/messages/{flash['id']}/acknowledge")
    assert done.status_code == 200, done.text
    assert done.json()["message_id"] == flash["id"]
    assert done.json()["acknowledged_at"]

    board = api.get("gbr.author", board_path)
    assert board.status_code == 200, board.text
    lines = {line["display_name"]: line for line in board.json()["readers"]}
    assert lines["Fra Reader"]["acknowledged_at"] is not None
    assert lines["Fra Reader"]["nation"] == "FRA"
    assert lines["Fra Reader"]["user_id"] == str(world.users["fra_reader"])
    assert lines["Gbr Fdo"]["acknowledged_at"] is None
    assert board.json()["acknowledged"] == 1
    assert board.json()["waiting"] == len(lines) - 1 >= 1
    assert set(lines) == waiting_names

    # acknowledging twice changes nothing
    again = api.post("fra.reader", f"/channels/{net}/messages/{flash['id']}/acknowledge")
    assert again.status_code == 200, again.text
    assert api.get("gbr.author", board_path).json()["acknowledged"] == 1

    routine = post(api, "gbr.author", net, "Mess open at 1900.")
    assert routine["precedence"] == "ROUTINE"
    assert routine["ack_required"] is False
    refused = api.post("fra.reader", f"/channels/{net}/messages/{routine['id']}/acknowledge")
    problem(refused, 409)


def test_the_board_of_a_uk_only_message_names_no_french_reader(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    flash = post(
        api,
        "gbr.author",
        net,
        "UK flash.",
        label=SECRET_GBR,
        precedence="FLASH",
        ack_required=True,
    )
    board = api.get("gbr.author", f"/channels/{net}/messages/{flash['id']}/acknowledgements")
    names = {line["display_name"] for line in board.json()["readers"]}
    assert "Gbr Fdo" in names
    assert "Fra Reader" not in names


# --- 6. DTG and time zone -------------------------------------------------------------------


def zone_letter_at(moment: datetime, zone: str) -> str:
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return {timedelta(hours=1): "A", timedelta(hours=2): "B"}[offset]


def test_messages_show_their_dtg_in_z_and_in_the_readers_zone(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    posted = post(api, "gbr.author", net, "Convoy left.")

    zone = api.put("fra.reader", "/me/time-zone", json={"time_zone": "europe/paris"})
    assert zone.status_code == 200, zone.text
    assert zone.json() == {"time_zone": "Europe/Paris"}

    seen = messages(api, "fra.reader", net)[0]
    created = datetime.fromisoformat(seen["created_at"])
    assert DTG.match(seen["dtg"]), seen["dtg"]
    assert seen["dtg"] == created.strftime("%d%H%MZ") + created.strftime("%b%y").upper()
    letter = zone_letter_at(created, "Europe/Paris")
    local = created.astimezone(ZoneInfo("Europe/Paris"))
    assert re.fullmatch(r"\d{6}[AB][A-Z]{3}\d{2}", seen["local_dtg"]), seen["local_dtg"]
    assert seen["local_dtg"] == (local.strftime("%d%H%M") + letter + local.strftime("%b%y").upper())
    assert seen["local_dtg"] != seen["dtg"]

    # a reader without a zone sees Z twice; the author's own answer used theirs
    plain = messages(api, "gbr.fdo", net)[0]
    assert plain["local_dtg"] == plain["dtg"] == seen["dtg"]
    assert posted["local_dtg"] == posted["dtg"]

    refused = api.put("fra.reader", "/me/time-zone", json={"time_zone": "Europe/Atlantis"})
    assert "unknown time zone" in problem(refused, 422)["detail"]
    for name in ("localtime", "../../etc/passwd", "x" * 65):
        api_answer = api.put("fra.reader", "/me/time-zone", json={"time_zone": name})
        problem(api_answer, 422)
    assert messages(api, "fra.reader", net)[0]["local_dtg"] == seen["local_dtg"]

    cleared = api.put("fra.reader", "/me/time-zone", json={"time_zone": None})
    assert cleared.status_code == 200
    assert cleared.json() == {"time_zone": None}
    again = messages(api, "fra.reader", net)[0]
    assert again["local_dtg"] == again["dtg"]


def test_a_half_hour_zone_falls_back_to_z(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR")
    post(api, "gbr.author", net, "Convoy left.")
    assert api.put("gbr.fdo", "/me/time-zone", json={"time_zone": "Asia/Kolkata"}).is_success
    seen = messages(api, "gbr.fdo", net)[0]
    assert seen["local_dtg"] == seen["dtg"]


# --- 7. help across languages ---------------------------------------------------------------


MSR = GlossaryEntry(
    {"en": ("main supply route", "MSR"), "fr": ("itinéraire principal de ravitaillement",)},
    "A route designated for the bulk of traffic in support of operations.",
)
FOB = GlossaryEntry(
    {"en": ("forward operating base", "FOB"), "fr": ("base opérationnelle avancée",)},
    "A secured forward position used to support tactical operations.",
)


def import_glossary(node: Node, world: World) -> None:
    def work(session: Session) -> None:
        office = world.corps.uk_office
        do_import_glossary(session, ADMIN, office, [MSR], origin="test.liaison")
        do_import_glossary(session, ADMIN, office, [FOB], label=GBR_SECRET, origin="test.liaison")

    write(node, work)


def test_help_without_an_engine_says_why(api: Api, world: World, node: Node) -> None:
    assert node.translator is None
    net = make_channel(api, world, "GBR", "FRA")
    message = post(api, "gbr.author", net, "The convoy will move along the river road at dawn.")
    helped = api.get(
        "fra.reader", f"/channels/{net}/messages/{message['id']}/help", params={"target": "fr"}
    )
    assert helped.status_code == 200, helped.text
    body = helped.json()
    assert body["translation"] is None
    assert "no translation engine" in body["why_not_translated"]
    assert body["target"] == "fr"
    assert body["terms"] == []

    # an ISO 639-2 code names the same language; nonsense does not
    fra = api.get(
        "fra.reader", f"/channels/{net}/messages/{message['id']}/help", params={"target": "fra"}
    )
    assert fra.json()["target"] == "fr"
    refused = api.get(
        "fra.reader", f"/channels/{net}/messages/{message['id']}/help", params={"target": "zz"}
    )
    problem(refused, 422)


def test_help_finds_glossary_terms_the_reader_may_see(api: Api, world: World, node: Node) -> None:
    import_glossary(node, world)
    net = make_channel(api, world, "GBR", "FRA")
    message = post(
        api, "gbr.author", net, "Convoy moving along the MSR towards the FOB at first light."
    )
    path = f"/channels/{net}/messages/{message['id']}/help"

    french = api.get("fra.reader", path, params={"target": "fr"})
    assert french.status_code == 200, french.text
    terms = french.json()["terms"]
    assert [t["term"] for t in terms] == ["MSR"]
    msr = terms[0]
    assert msr["equivalents"]["fr"] == ["itinéraire principal de ravitaillement"]
    assert msr["definition"] == MSR.definition
    assert message["body"][msr["start"] : msr["end"]] == "MSR"
    # the GBR-only SECRET entry leaves no trace
    assert "base opérationnelle" not in french.text
    assert FOB.definition not in french.text
    assert "forward operating base" not in french.text

    british = api.get("gbr.fdo", path, params={"target": "fr"})
    found = {t["term"]: t for t in british.json()["terms"]}
    assert set(found) == {"MSR", "FOB"}
    assert found["FOB"]["equivalents"]["fr"] == ["base opérationnelle avancée"]

    for outsider in OUTSIDERS:
        assert_hidden(
            api,
            outsider,
            "get",
            "/channels/{channel}/messages/{message}/help",
            {"channel": net, "message": message["id"]},
            params={"target": "fr"},
        )


# --- 8. notifications -----------------------------------------------------------------------


def mention_notifications(api: Api, who: str) -> list[dict[str, Any]]:
    response = api.get(who, "/notifications")
    assert response.status_code == 200, response.text
    return [n for n in response.json()["items"] if n["message"] is not None]


def test_a_mention_notifies_only_readers_who_may_see_it(api: Api, world: World) -> None:
    net = make_channel(api, world, "GBR", "FRA")
    shared = post(api, "gbr.author", net, "@fra.reader please confirm the crossing time.")
    assert shared["mentions"] == [str(world.users["fra_reader"])]

    notes = mention_notifications(api, "fra.reader")
    assert len(notes) == 1
    note = notes[0]
    assert note["kind"] == "message.mention"
    assert note["read_at"] is None
    assert note["message"]["id"] == shared["id"]
    assert note["message"]["channel_id"] == net
    assert note["message"]["marking"] == shared["marking"]
    assert note["report"] is None

    secret = post(api, "gbr.author", net, "@fra.reader @usa.reader UK only.", label=SECRET_GBR)
    assert secret["mentions"] == []
    notes = mention_notifications(api, "fra.reader")
    assert [n["message"]["id"] for n in notes] == [shared["id"]]
    assert secret["id"] not in api.get("fra.reader", "/notifications").text
    for outsider in OUTSIDERS:
        assert mention_notifications(api, outsider) == []

    # an edit that relabels a message away from the mentioned reader leaves them no trace
    path = f"/channels/{net}/messages/{shared['id']}"
    assert api.patch(
        "gbr.author", path, json={"body": "@fra.reader UK only now.", "label": SECRET_GBR}
    ).is_success
    listed = api.get("fra.reader", "/notifications")
    assert listed.status_code == 200
    assert shared["id"] not in listed.text
