"""Channels through the actions: members see exactly the messages their clearance allows, the
ceiling and no write-up hold, edits and deletions keep what was said, acknowledgements, and a
FLASH that nobody acknowledges escalates to the reader's superior."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.alerts import do_chase_acknowledgements
from liaison.actions.channels import (
    do_acknowledge_message,
    do_create_channel,
    do_delete_message,
    do_edit_message,
    do_post_message,
)
from liaison.actions.people import do_link_user, do_set_person_clearance
from liaison.domain.accounts import Role
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.channels import ChannelKind, Precedence
from liaison.domain.clearances import NationalClearance
from liaison.domain.errors import Forbidden, Invalid, NotFound, Stale, TooLarge
from liaison.node import Node
from liaison.queries import channels as queries
from liaison.queries.people import office_expiring
from liaison.store.models import Message, MessageAlert, Notification
from liaison.store.types import utcnow
from tests.conftest import table_rows, write
from tests.org_fixtures import ADMIN, nato
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


def channel(node: Node, world: World, *members: str, ceiling: str = "SECRET") -> uuid.UUID:
    audiences = [Audience(AudienceKind.NATION, code) for code in members]
    made = act(
        node,
        world,
        "gbr_author",
        do_create_channel,
        name="Corps liaison net",
        kind=ChannelKind.ACTIVITY,
        ceiling=nato(ceiling, "GBR", "FRA", "NATO"),
        office_id=world.corps.uk_office,
        members=audiences,
        origin="test.liaison",
    )
    return made.id


def post(node: Node, world: World, who: str, channel_id: uuid.UUID, body: str, **kw: object):
    return act(node, world, who, do_post_message, channel_id, body=body, origin="t", **kw)


def bodies(node: Node, world: World, who: str, channel_id: uuid.UUID) -> list[str]:
    with node.db.reading() as session:
        page = queries.list_messages(session, world.principal(node, who), channel_id)
        return [message.body for message in reversed(page.items)]


def test_each_member_sees_exactly_what_their_clearance_allows(node: Node, world: World) -> None:
    net = channel(node, world, "GBR", "FRA")
    post(node, world, "gbr_author", net, "Bridge at grid 34U open.")
    post(node, world, "gbr_author", net, "UK eyes only detail.", label=NATO_SECRET_REL_GBR)
    post(node, world, "gbr_author", net, "Joint plan.", label=NATO_SECRET_REL_GBR_FRA)
    assert bodies(node, world, "gbr_fdo", net) == [
        "Bridge at grid 34U open.",
        "UK eyes only detail.",
        "Joint plan.",
    ]
    assert bodies(node, world, "fra_reader", net) == ["Bridge at grid 34U open.", "Joint plan."]
    assert bodies(node, world, "gbr_low", net) == ["Bridge at grid 34U open."]
    for outsider in ("usa_reader", "gbr_uncleared"):
        with node.db.reading() as session, pytest.raises(NotFound):
            queries.list_messages(session, world.principal(node, outsider), net)
        with node.db.reading() as session:
            assert queries.list_channels(session, world.principal(node, outsider)) == []


def test_labels_above_the_ceiling_or_the_author_are_refused(node: Node, world: World) -> None:
    net = channel(node, world, "GBR", ceiling="RESTRICTED")
    with pytest.raises(Invalid, match="above the channel's ceiling"):
        post(node, world, "gbr_author", net, "Too high.", label=NATO_SECRET_REL_GBR)
    open_net = channel(node, world, "GBR")
    with pytest.raises(Invalid, match="above your own clearance"):
        post(node, world, "gbr_low", open_net, "Too high.", label=NATO_SECRET_REL_GBR)
    with pytest.raises(TooLarge):
        post(node, world, "gbr_author", open_net, "x" * (16 * 1024 + 1))
    assert bodies(node, world, "gbr_author", open_net) == []


def test_edits_and_deletions_keep_what_was_said(node: Node, world: World) -> None:
    net = channel(node, world, "GBR")
    message = post(node, world, "gbr_author", net, "Convoy at 1400.")
    with pytest.raises(Forbidden):
        act(node, world, "gbr_fdo", do_edit_message, message.id, body="Convoy at 1500.")
    act(node, world, "gbr_author", do_edit_message, message.id, body="Convoy at 1500.")
    with pytest.raises(Stale):
        act(node, world, "gbr_author", do_edit_message, message.id, body="x", expected_version=1)
    act(node, world, "gbr_author", do_delete_message, message.id, expected_version=None)
    assert bodies(node, world, "gbr_fdo", net) == [""]
    with node.db.reading() as session:
        versions = queries.message_versions(
            session, world.principal(node, "gbr_author"), message.id
        )
        assert [v.body for v in versions] == ["Convoy at 1400.", "Convoy at 1500."]


def test_threads_and_mentions_reach_only_readers(node: Node, world: World) -> None:
    net = channel(node, world, "GBR", "FRA")
    root = post(node, world, "gbr_author", net, "Question for the net.")
    reply = post(
        node,
        world,
        "gbr_author",
        net,
        "@fra.reader @usa.reader UK detail.",
        label=NATO_SECRET_REL_GBR,
        thread_id=root.id,
    )
    assert reply.thread_id == root.id
    assert reply.mentions == []  # fra.reader may not read it; usa.reader is no member
    shared = post(node, world, "gbr_author", net, "@fra.reader please confirm.")
    assert shared.mentions == [str(world.users["fra_reader"])]


def test_acknowledgements_and_the_escalation_of_an_ignored_flash(node: Node, world: World) -> None:
    corps = world.corps
    cleared = NationalClearance("DEMO-GBR", "SECRET", frozenset(), None, None)

    officer = replace(ADMIN, roles=frozenset({Role.ADMIN, Role.SECURITY_OFFICER}))

    def link(session: Session) -> None:
        pairs = ((corps.analyst_person, "gbr_author"), (corps.snlo_person, "gbr_fdo"))
        for person_id, user in pairs:
            do_set_person_clearance(session, officer, person_id, cleared)
            do_link_user(session, officer, world.users[user], person_id)

    write(node, link)
    net = channel(node, world, "GBR")
    flash = post(
        node,
        world,
        "gbr_security",
        net,
        "FLASH: move the command post now.",
        precedence=Precedence.FLASH,
        ack_required=True,
    )
    act(node, world, "gbr_low", do_acknowledge_message, flash.id)
    with pytest.raises(NotFound):
        act(node, world, "usa_reader", do_acknowledge_message, flash.id)
    later = flash.created_at + timedelta(minutes=11)
    result = write(node, lambda session: do_chase_acknowledgements(session, later))
    assert result.escalations >= 1
    alerts = {row["user_id"]: row for row in table_rows(node, MessageAlert)}
    assert world.users["gbr_low"] not in alerts  # acknowledged
    assert alerts[world.users["gbr_author"]]["escalated_to"] == world.users["gbr_fdo"]
    escalations = table_rows(node, Notification, Notification.kind == "message.escalation")
    assert [row["user_id"] for row in escalations] == [world.users["gbr_fdo"]]
    again = write(node, lambda session: do_chase_acknowledgements(session, later))
    assert again.escalations == 0  # escalated once
    with node.db.reading() as session:
        board = queries.acknowledgement_board(session, world.principal(node, "gbr_fdo"), flash.id)
        done = {line.user_id for line in board if line.acknowledged_at}
        assert done == {world.users["gbr_low"]}
        assert session.scalars(select(Message)).first() is not None


def test_messages_awaiting_my_acknowledgement(node: Node, world: World) -> None:
    net = channel(node, world, "GBR", "FRA")
    flash = post(
        node,
        world,
        "gbr_security",
        net,
        "FLASH: report now.",
        precedence=Precedence.FLASH,
        ack_required=True,
    )
    post(node, world, "gbr_security", net, "Routine chatter.")

    def waiting(who: str) -> list[uuid.UUID]:
        with node.db.reading() as session:
            viewer = world.principal(node, who)
            return [m.id for m in queries.awaiting_acknowledgement(session, viewer)]

    assert waiting("fra_reader") == [flash.id]
    assert waiting("gbr_security") == []  # their own
    assert waiting("usa_reader") == []
    act(node, world, "fra_reader", do_acknowledge_message, flash.id)
    assert waiting("fra_reader") == []


def test_my_offices_expiring_clearances(node: Node, world: World) -> None:
    corps = world.corps
    soon = utcnow().date() + timedelta(days=30)
    officer = replace(ADMIN, roles=frozenset({Role.ADMIN, Role.SECURITY_OFFICER}))
    cleared = NationalClearance("DEMO-GBR", "SECRET", frozenset(), None, soon)

    def link(session: Session) -> None:
        do_set_person_clearance(session, officer, corps.snlo_person, cleared)
        do_link_user(session, officer, world.users["gbr_fdo"], corps.snlo_person)

    write(node, link)
    today = utcnow().date()
    with node.db.reading() as session:
        mine = office_expiring(
            session, world.principal(node, "gbr_fdo"), within_days=90, today=today
        )
        unlinked = office_expiring(
            session, world.principal(node, "fra_reader"), within_days=90, today=today
        )
        assert mine is not None
        assert [(entry.person.id, entry.kind) for entry in mine] == [
            (corps.snlo_person, "clearance")
        ]
    assert unlinked is None
