"""The live stream: who receives what, authentication, resuming without gap or duplicate,
malformed cursors, and a credential that stops being valid while connected."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from liaison.actions.accounts import do_set_clearance, do_sign_out, secret_digest
from liaison.actions.recording import record
from liaison.actions.release import do_release
from liaison.actions.reports import do_submit_report
from liaison.domain.accounts import SYSTEM
from liaison.events.cursor import CursorCodec
from liaison.events.tail import newest_seq
from liaison.node import Node
from liaison.queries.accounts import holder_of_secret
from liaison.security import Label
from liaison.store.models import OutboxEvent, Report
from tests.conftest import auth, sign_in, write
from tests.report_fixtures import (
    NATO_SECRET_REL_GBR,
    NATO_SECRET_REL_GBR_FRA,
    NATO_UNCLASSIFIED,
    World,
    act,
    build_world,
    draft,
    nation,
)

Frame = dict[str, Any]
Token = Callable[[str], str]


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


def newest(node: Node) -> int:
    with node.db.reading() as session:
        return newest_seq(session)


def cursors(client: TestClient) -> CursorCodec:
    codec: CursorCodec = client.app.state.live.cursors  # type: ignore[attr-defined]
    return codec


def seq(client: TestClient, frame: Frame) -> int:
    """The outbox seq behind a frame's opaque cursor (which only the node can read)."""
    return cursors(client).decode(frame["cursor"])


@contextmanager
def stream(client: TestClient, token: str, cursor: int | None) -> Iterator[WebSocketTestSession]:
    query = "" if cursor is None else f"?cursor={cursors(client).encode(cursor)}"
    with client.websocket_connect(f"/api/v1/stream{query}", headers=auth(token)) as ws:
        yield ws


def refusal(client: TestClient, headers: dict[str, str]) -> WebSocketDisconnect:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/api/v1/stream", headers=headers),
    ):
        pass
    return refused.value


def receive(ws: WebSocketTestSession, seconds: float = 10.0) -> Frame:
    """The next frame, failing the test instead of waiting forever."""

    async def within() -> Any:
        with anyio.fail_after(seconds):
            return await ws._send_rx.receive()

    message = ws.portal.call(within)
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason", ""))
    frame: Frame = json.loads(message["text"])
    return frame


def until(ws: WebSocketTestSession, last: Callable[[Frame], bool]) -> list[Frame]:
    frames = [receive(ws)]
    while not last(frames[-1]):
        frames.append(receive(ws))
    return frames


def released(report_id: uuid.UUID) -> Callable[[Frame], bool]:
    return lambda f: f["kind"] == "report.released" and f["object_id"] == str(report_id)


def release(node: Node, world: World, label: Label, *nations: str) -> uuid.UUID:
    """A report under `label`, released to `nations` (beyond GBR, by the releasing officer)."""
    report_id = draft(
        node, world, portions=[("Shared.", label)], recipients=[nation(n) for n in nations]
    )
    report = act(node, world, "gbr_author", do_submit_report, report_id)
    if report.state != "released":
        act(node, world, "gbr_fdo", do_release, report_id)
    return report_id


def touch(node: Node, report_id: uuid.UUID, *, object_type: str = "report") -> None:
    """An event about a report, under its label, as any action about it would append."""

    def work(session: Any) -> None:
        report = session.get(Report, report_id)
        record(
            session,
            SYSTEM,
            "test.touch",
            object_type=object_type,
            object_id=report_id,
            label_id=str(report.label_id),
            event=f"{object_type}.touched",
        )

    write(node, work)


def report_seqs(node: Node, after: int, through: int, *report_ids: uuid.UUID) -> list[int]:
    with node.db.reading() as session:
        return list(
            session.scalars(
                select(OutboxEvent.seq)
                .where(
                    OutboxEvent.seq > after,
                    OutboxEvent.seq <= through,
                    OutboxEvent.object_type == "report",
                    OutboxEvent.object_id.in_([str(r) for r in report_ids]),
                )
                .order_by(OutboxEvent.seq)
            )
        )


def test_a_report_released_to_fra_reaches_fra_and_not_usa(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    fra_token, usa_token = token_for("fra.reader"), token_for("usa.reader")
    cursor = newest(node)
    with stream(client, fra_token, cursor) as fra, stream(client, usa_token, cursor) as usa:
        shared = release(node, world, NATO_SECRET_REL_GBR_FRA, "GBR", "FRA")
        american = release(node, world, NATO_UNCLASSIFIED, "USA")
        to_fra = until(fra, released(shared))
        to_usa = until(usa, released(american))
    reports = [f for f in to_fra if f["object_type"] == "report"]
    assert {f["object_id"] for f in reports} == {str(shared)}
    assert {f["object_id"] for f in to_usa if f["object_type"] == "report"} == {str(american)}
    # Each is also told through a notification of their own, for their own report only.
    told = [f["data"]["report_id"] for f in to_fra if f["object_type"] == "notification"]
    assert set(told) <= {str(shared)}
    frame = to_fra[-1]
    assert set(frame) == {"cursor", "kind", "object_type", "object_id", "at", "data"}
    assert frame["object_type"] == "report"
    assert frame["data"]["title"] == "Armour movement near the river crossing"
    assert frame["data"]["marking"] == "NATO SECRET Releasable to France, United Kingdom"
    assert frame["data"]["state"] == "released"
    assert "Shared." not in str(frame), "portion text is not part of the summary"


def test_without_credentials_the_socket_is_refused(
    client: TestClient, node: Node, world: World
) -> None:
    for headers in ({}, auth("lia_not-a-token"), {"Authorization": "Basic x"}):
        assert refusal(client, headers).code == 1008


def test_a_session_cookie_needs_an_origin_of_this_host(
    client: TestClient, node: Node, world: World
) -> None:
    secret = sign_in(node, "fra.reader", kind="session").secret
    assert secret is not None
    client.cookies.set("liaison_session", secret)
    for origin in (None, "https://evil.example", "null"):
        headers = {"Origin": origin} if origin else {}
        assert refusal(client, headers).code == 1008, origin
    cursor = cursors(client).encode(newest(node))
    origin = {"Origin": "http://testserver"}
    with client.websocket_connect(f"/api/v1/stream?cursor={cursor}", headers=origin) as ws:
        shared = release(node, world, NATO_SECRET_REL_GBR_FRA, "GBR", "FRA")
        assert until(ws, released(shared))


# The last: well-formed base64 of 16 bytes, but not one this node issued.
@pytest.mark.parametrize("cursor", ["abc", "-1", "", "1.5", "9" * 40, "A" * 21 + "w", "12"])
def test_a_malformed_cursor_is_refused_with_a_reason(
    client: TestClient, world: World, token_for: Token, cursor: str
) -> None:
    token = token_for("fra.reader")
    url = f"/api/v1/stream?cursor={cursor}"
    with (
        client.websocket_connect(url, headers=auth(token)) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        receive(ws)
    assert closed.value.code == 1008
    assert "cursor" in closed.value.reason


def test_events_without_a_gate_are_never_delivered(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    token = token_for("fra.reader")
    shared = release(node, world, NATO_SECRET_REL_GBR_FRA, "GBR", "FRA")
    cursor = newest(node)
    with stream(client, token, cursor) as fra:
        touch(node, shared, object_type="gizmo")  # same object, same label: no gate
        touch(node, shared)
        frames = until(fra, lambda f: f["kind"] == "report.touched")
    assert [f["object_type"] for f in frames] == ["report"]


def test_resuming_delivers_every_visible_event_once_in_order(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    """Events are committed all the while: between connections, and while each connects."""
    token = token_for("fra.reader")
    visible = release(node, world, NATO_SECRET_REL_GBR_FRA, "GBR", "FRA")
    hidden = release(node, world, NATO_SECRET_REL_GBR, "GBR")
    start = cursor = newest(node)
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            touch(node, visible)
            touch(node, hidden)
            touch(node, visible, object_type="gizmo")

    writer = threading.Thread(target=churn)
    writer.start()
    received: list[Frame] = []
    try:
        for _ in range(6):
            with stream(client, token, cursor) as fra:
                received += [receive(fra) for _ in range(4)]
            cursor = seq(client, received[-1])
    finally:
        stop.set()
        writer.join()
    touch(node, visible)  # at least one more after the last frame received
    through = newest(node)
    expected = report_seqs(node, start, through, visible)
    with stream(client, token, cursor) as fra:
        received += until(fra, lambda f: seq(client, f) == expected[-1])
    assert [seq(client, f) for f in received] == expected
    assert {f["object_id"] for f in received} == {str(visible)}


def test_without_a_cursor_the_stream_starts_now(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    token = token_for("fra.reader")
    before = release(node, world, NATO_SECRET_REL_GBR_FRA, "GBR", "FRA")
    with stream(client, token, None) as fra:
        touch(node, before)
        while (frame := receive(fra))["kind"] != "report.touched":
            assert frame["kind"] != "report.released", "an event from before connecting"


def test_a_revoked_token_closes_the_stream(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    token = token_for("fra.reader")
    with node.db.reading() as session:
        holder = holder_of_secret(session, secret_digest(token), "api")
    assert holder is not None
    with stream(client, token, newest(node)) as fra:
        write(node, lambda session: do_sign_out(session, holder.principal))
        with pytest.raises(WebSocketDisconnect) as closed:
            receive(fra)
    assert closed.value.code == 1008


def test_a_lowered_clearance_takes_effect_without_reconnecting(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    token = token_for("fra.reader")
    secret = release(node, world, NATO_SECRET_REL_GBR_FRA, "GBR", "FRA")
    open_report = release(node, world, NATO_UNCLASSIFIED, "GBR", "FRA")
    lowered = {"policy": "NATO", "classifications": ["UNCLASSIFIED"]}
    with stream(client, token, newest(node)) as fra:
        touch(node, secret)
        assert receive(fra)["object_id"] == str(secret)
        write(
            node,
            lambda session: do_set_clearance(session, SYSTEM, world.users["fra_reader"], lowered),
        )
        touch(node, secret)
        touch(node, open_report)
        frame = receive(fra)
    assert frame["object_id"] == str(open_report)
