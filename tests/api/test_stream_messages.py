"""Live chat on the stream: each subscriber receives exactly the messages, acknowledgements and
notifications their clearance and channels allow, and a channel joined later starts flowing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.actions.channels import (
    do_acknowledge_message,
    do_add_members,
    do_create_channel,
    do_post_message,
)
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.channels import ChannelKind, Precedence
from liaison.node import Node
from tests.api.test_stream import Frame, Token, receive, stream, until
from tests.api.test_stream import newest as newest_seq
from tests.org_fixtures import nato
from tests.report_fixtures import (
    NATO_SECRET_REL_GBR,
    NATO_SECRET_REL_GBR_FRA,
    World,
    act,
    build_world,
)


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


def channel(node: Node, world: World, *nations: str) -> uuid.UUID:
    made = act(
        node,
        world,
        "gbr_author",
        do_create_channel,
        name="Corps liaison net",
        kind=ChannelKind.ACTIVITY,
        ceiling=nato("SECRET", "GBR", "FRA", "NATO"),
        office_id=world.corps.uk_office,
        members=[Audience(AudienceKind.NATION, code) for code in nations],
        origin="t",
    )
    return made.id


def post(node: Node, world: World, channel_id: uuid.UUID, body: str, **given: Any) -> Any:
    return act(
        node, world, "gbr_author", do_post_message, channel_id, body=body, origin="t", **given
    )


def posted(body: str) -> Any:
    return lambda f: f["kind"] == "message.posted" and f["data"]["body"] == body


def test_two_nations_chat_live_and_each_sees_what_they_may(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    net = channel(node, world, "GBR", "FRA")
    cursor = newest_seq(node)
    with (
        stream(client, token_for("fra.reader"), cursor) as fra,
        stream(client, token_for("gbr.fdo"), cursor) as gbr,
    ):
        post(node, world, net, "UK eyes only.", label=NATO_SECRET_REL_GBR)
        post(node, world, net, "Bridge open at 1400.", label=NATO_SECRET_REL_GBR_FRA)
        fra_frames = until(fra, posted("Bridge open at 1400."))
        gbr_frames = until(gbr, posted("Bridge open at 1400."))
    assert [f["data"]["body"] for f in fra_frames] == ["Bridge open at 1400."]
    assert [f["data"]["body"] for f in gbr_frames] == ["UK eyes only.", "Bridge open at 1400."]
    assert "France" in fra_frames[0]["data"]["marking"]


def test_outsiders_receive_nothing_until_the_channel_takes_them_in(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    net = channel(node, world, "GBR")
    with stream(client, token_for("fra.reader"), newest_seq(node)) as fra:
        post(node, world, net, "Before France joined.")
        with pytest.raises(TimeoutError):
            receive(fra, seconds=1.5)
        act(
            node,
            world,
            "gbr_author",
            do_add_members,
            net,
            [Audience(AudienceKind.NATION, "FRA")],
        )
        post(node, world, net, "After France joined.")
        frames = until(fra, posted("After France joined."))
    # Once a member, the channel's history is theirs to read, on the stream as over the API.
    bodies = [f["data"]["body"] for f in frames if f["object_type"] == "message"]
    assert bodies == ["Before France joined.", "After France joined."]


def test_acknowledgements_and_mentions_reach_the_right_people(
    client: TestClient, node: Node, world: World, token_for: Token
) -> None:
    net = channel(node, world, "GBR", "FRA")
    with (
        stream(client, token_for("fra.reader"), newest_seq(node)) as fra,
        stream(client, token_for("gbr.fdo"), newest_seq(node)) as gbr,
    ):
        flash = post(
            node,
            world,
            net,
            "@fra.reader FLASH: move now.",
            precedence=Precedence.FLASH,
            ack_required=True,
        )
        mention: list[Frame] = until(fra, lambda f: f["kind"] == "notification.created")
        assert mention[-1]["data"]["message_id"] == str(flash.id)
        assert mention[-1]["data"]["kind"] == "message.mention"
        act(node, world, "fra_reader", do_acknowledge_message, flash.id)
        acked = until(gbr, lambda f: f["kind"] == "message.acknowledged")
        assert acked[-1]["data"]["by"] == str(world.users["fra_reader"])
        assert all(f["kind"] != "notification.created" for f in acked)  # not gbr.fdo's
        post(node, world, net, "end")
        assert receive(gbr)["kind"] == "message.posted"
