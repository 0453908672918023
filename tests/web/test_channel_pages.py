"""Channel pages without a browser: each member sees exactly what their clearance allows, with
banners, markings and precedence; posting and acknowledging through forms with CSRF; the
live fragment; 404 for outsiders; French."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liaison.actions.channels import do_delete_message
from liaison.domain.channels import Precedence
from liaison.http.rate_limit import TokenBuckets
from liaison.node import Node
from liaison.store.models import Channel, Message, MessageAcknowledgement
from tests.conftest import table_rows
from tests.report_fixtures import World, act, build_world
from tests.web.channel_fixtures import GBR_ONLY, REL_GBR_FRA, make_channel, post
from tests.web.conftest import form_token, web_sign_in

SHARED = "Bridge at Alpha is open to wheeled traffic."
UK_ONLY = "UK eyes only: the demolition party stays on site."
REL_BANNER = "NATO SECRET Releasable to France, United Kingdom"


def banners(html: str) -> list[str]:
    return re.findall(r'data-banner="(?:top|bottom)">([^<]*)<', html)


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


@pytest.fixture
def channel(node: Node, world: World) -> uuid.UUID:
    return make_channel(node, world)


def test_a_member_sees_the_messages_their_clearance_allows_and_nothing_else(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    shared = post(
        node, world, channel, SHARED, REL_GBR_FRA, precedence=Precedence.FLASH, ack_required=True
    )
    post(node, world, channel, UK_ONLY, GBR_ONLY)
    post(
        node,
        world,
        channel,
        "Received, moving now.",
        REL_GBR_FRA,
        who="fra_reader",
        thread_id=shared,
    )
    web_sign_in(client, "fra.reader")
    listing = client.get("/channels")
    assert "Bridging operations" in listing.text
    page = client.get(f"/channels/{channel}")
    assert page.status_code == 200
    assert SHARED in page.text
    assert UK_ONLY not in page.text
    assert banners(page.text) == ["NATO SECRET"] * 2  # with the channel's own REL NATO label
    assert f'<span class="mark secret">{REL_BANNER}</span>' in page.text
    assert '<span class="precedence-badge badge-flash">FLASH</span>' in page.text
    # The reply sits under its thread, and the flash message asks to be acknowledged.
    thread = page.text.index(f'id="m-{shared}"')
    assert thread < page.text.index("Received, moving now.") < page.text.index("</ol>", thread)
    assert f'action="/channels/{channel}/messages/{shared}/acknowledge"' in page.text

    web_sign_in(client, "gbr.author")
    own = client.get(f"/channels/{channel}")
    assert SHARED in own.text
    assert UK_ONLY in own.text
    assert own.text.index(SHARED) < own.text.index(UK_ONLY)  # newest at the bottom
    assert banners(own.text)[0] == banners(own.text)[1]
    assert "SECRET" in banners(own.text)[0]


def test_posting_needs_the_csrf_token_and_keeps_the_label_picked(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    token = web_sign_in(client, "gbr.author")
    form = {
        "body": "Convoy leaves at 1600.",
        "message-classification": "SECRET",
        "message-releasable": ["GBR", "FRA"],
        "precedence": "IMMEDIATE",
        "ack_required": "1",
    }
    forged = client.post(f"/channels/{channel}/messages", data=form | {"csrf_token": "forged"})
    assert forged.status_code == 403
    assert "Not allowed" in forged.text
    assert table_rows(node, Message) == []
    sent = client.post(
        f"/channels/{channel}/messages", data=form | {"csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303
    (message,) = table_rows(node, Message)
    assert sent.headers["location"] == f"/channels/{channel}#m-{message['id']}"
    assert (message["precedence"], message["ack_required"]) == ("IMMEDIATE", True)
    page = client.get(f"/channels/{channel}")
    assert f'<span class="mark secret">{REL_BANNER}</span>' in page.text
    assert "badge-immediate" in page.text
    # Left as the picker first shows it, the label is the channel's default.
    client.post(
        f"/channels/{channel}/messages",
        data={
            "csrf_token": token,
            "body": "Weather fair.",
            "message-classification": "RESTRICTED",
            "message-releasable": ["NATO"],
        },
    )
    default = next(m for m in table_rows(node, Message) if m["body"] == "Weather fair.")
    (row,) = table_rows(node, Channel, Channel.id == channel)
    assert default["label_id"] == row["default_label_id"]


def test_a_refused_post_shows_the_form_again_with_the_reason(
    client: TestClient, node: Node, channel: uuid.UUID
) -> None:
    token = web_sign_in(client, "gbr.author")
    refused = client.post(
        f"/channels/{channel}/messages",
        data={"csrf_token": token, "body": "Too high.", "message-classification": "TOP SECRET"},
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert ">Too high.</textarea>" in refused.text
    assert table_rows(node, Message) == []


def test_posting_too_fast_is_answered_429_on_the_page(
    client: TestClient, node: Node, channel: uuid.UUID
) -> None:
    token = web_sign_in(client, "gbr.author")
    client.app.state.post_limits = TokenBuckets(per_minute=1, burst=1)  # type: ignore[attr-defined]
    form = {"csrf_token": token, "body": "One."}
    assert client.post(f"/channels/{channel}/messages", data=form).status_code == 200
    flood = client.post(f"/channels/{channel}/messages", data=form | {"body": "Two."})
    assert flood.status_code == 429
    assert "posting too fast" in flood.text
    assert "Retry-After" in flood.headers
    assert [m["body"] for m in table_rows(node, Message)] == ["One."]


def test_acknowledging_through_the_form_shows_on_the_board(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    message = post(node, world, channel, SHARED, REL_GBR_FRA, ack_required=True)
    token = web_sign_in(client, "fra.reader")
    url = f"/channels/{channel}/messages/{message}/acknowledge"
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    assert table_rows(node, MessageAcknowledgement) == []
    done = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert "You acknowledged this message." in client.get(f"/channels/{channel}").text
    board = client.get(f"/channels/{channel}/messages/{message}/acknowledgements")
    assert board.status_code == 200
    assert "Fra Reader" in board.text
    assert banners(board.text) == ["NATO SECRET"] * 2


def test_a_deleted_message_leaves_a_tombstone(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    message = post(node, world, channel, SHARED, REL_GBR_FRA)
    act(node, world, "gbr_author", do_delete_message, message, expected_version=None)
    web_sign_in(client, "fra.reader")
    page = client.get(f"/channels/{channel}")
    assert SHARED not in page.text
    assert "This message was deleted at" in page.text


def test_the_fragment_shows_one_message_and_counts_only_readable_labels(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    shared = post(node, world, channel, SHARED, REL_GBR_FRA)
    hidden = post(node, world, channel, UK_ONLY, GBR_ONLY)
    with node.db.reading() as session:
        hidden_label = session.scalars(select(Message.label_id).where(Message.id == hidden)).one()
    web_sign_in(client, "fra.reader")
    base = f"/channels/{channel}/messages"
    fragment = client.get(f"{base}/{shared}/fragment", params={"shown": str(hidden_label)})
    assert fragment.status_code == 200
    assert SHARED in fragment.text
    assert "<html" not in fragment.text
    assert f'data-banner-marking="{REL_BANNER}"' in fragment.text  # the GBR-only label is not
    assert client.get(f"{base}/{hidden}/fragment").status_code == 404
    assert client.get(f"{base}/{shared}/fragment", params={"shown": "x"}).status_code == 404
    other = make_channel(node, world, "Other channel")
    assert client.get(f"/channels/{other}/messages/{shared}/fragment").status_code == 404


def test_an_outsider_finds_the_channel_nowhere(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    message = post(node, world, channel, SHARED, REL_GBR_FRA, ack_required=True)
    token = web_sign_in(client, "usa.reader")
    assert "Bridging operations" not in client.get("/channels").text
    for url in (
        f"/channels/{channel}",
        f"/channels/{channel}/messages/{message}/fragment",
        f"/channels/{channel}/messages/{message}/acknowledgements",
        f"/channels/{uuid.uuid4()}",
        "/channels/not-an-id",
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "<h1>Not found</h1>" in page.text
        assert SHARED not in page.text
        assert "Bridging" not in page.text
        assert banners(page.text) == ["NATO UNCLASSIFIED"] * 2
    sent = client.post(
        f"/channels/{channel}/messages", data={"csrf_token": token, "body": "Hello?"}
    )
    assert sent.status_code == 404
    assert len(table_rows(node, Message)) == 1


def test_the_channel_page_in_french(
    client: TestClient, node: Node, world: World, channel: uuid.UUID
) -> None:
    post(node, world, channel, SHARED, REL_GBR_FRA, precedence=Precedence.IMMEDIATE)
    web_sign_in(client, "fra.reader")
    page = client.get(f"/channels/{channel}", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.text
    assert "Publier un message" in page.text
    assert "IMMÉDIAT" in page.text
    assert "Communicable à France, Royaume-Uni" in page.text
    assert form_token(page.text)
