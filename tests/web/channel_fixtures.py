"""A channel for the page tests: members GBR and FRA, under a NATO SECRET ceiling releasable
to GBR, FRA and NATO, kept by the UK office."""

from __future__ import annotations

import uuid

from liaison.actions.channels import do_create_channel, do_post_message
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.channels import ChannelKind, Precedence
from liaison.node import Node
from liaison.security import Label
from tests.org_fixtures import nato
from tests.report_fixtures import World, act

CEILING = nato("SECRET", "GBR", "FRA", "NATO")
REL_GBR_FRA = nato("SECRET", "GBR", "FRA")
GBR_ONLY = nato("SECRET", "GBR")


def make_channel(node: Node, world: World, name: str = "Bridging operations") -> uuid.UUID:
    channel = act(
        node,
        world,
        "gbr_author",
        do_create_channel,
        name=name,
        kind=ChannelKind.TOPIC,
        ceiling=CEILING,
        office_id=world.corps.uk_office,
        members=[Audience(AudienceKind.NATION, "GBR"), Audience(AudienceKind.NATION, "FRA")],
        origin="test.liaison",
    )
    channel_id: uuid.UUID = channel.id
    return channel_id


def post(
    node: Node,
    world: World,
    channel_id: uuid.UUID,
    body: str,
    label: Label | None = None,
    *,
    who: str = "gbr_author",
    precedence: Precedence = Precedence.ROUTINE,
    ack_required: bool = False,
    thread_id: uuid.UUID | None = None,
) -> uuid.UUID:
    message = act(
        node,
        world,
        who,
        do_post_message,
        channel_id,
        body=body,
        label=label,
        precedence=precedence,
        ack_required=ack_required,
        thread_id=thread_id,
        origin="test.liaison",
    )
    message_id: uuid.UUID = message.id
    return message_id
