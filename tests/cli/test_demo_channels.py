"""The demo channels (`liaison demo`): written once through the actions, each demo account seeing
only the messages its clearance allows, a FLASH still waiting, and the UK glossary at work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.cli.demo import seed
from liaison.cli.demo_channels import (
    BILATERAL,
    CHANNELS,
    CORPS_NET,
    GLOSSARY,
    POSTS,
    SECRET_GBR,
    SECRET_GBR_FRA,
    seed_channels,
)
from liaison.cli.demo_structure import NATIONS
from liaison.domain.accounts import Principal
from liaison.domain.channels import Precedence
from liaison.node import Node
from liaison.queries.channels import acknowledgement_board, list_channels, list_messages
from liaison.queries.glossary import terms_in
from liaison.settings import Settings
from liaison.store.models import (
    Channel,
    ChannelMember,
    GlossaryTerm,
    Message,
    MessageAcknowledgement,
    MessageVersion,
    Notification,
    Office,
    User,
)
from tests.conftest import empty_tables

ORIGIN = "demo.liaison"


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, migrated_engine: Engine
) -> Iterator[Node]:
    """One seeded node for the module: these tests only read, bar seeding again."""
    empty_tables(migrated_engine)
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("demo-channels")) / "var",
        database_url=database_url,
        node_name=ORIGIN,
        cookie_secure=False,
    )
    node = Node.open(settings)
    with node.db.writing() as session:
        seed(session, ORIGIN)
    yield node
    node.close()
    empty_tables(migrated_engine)


def account(session: Session, username: str) -> Principal:
    return session.scalars(select(User).where(User.username == username)).one().principal()


def seen_bodies(session: Session, username: str) -> set[str]:
    viewer = account(session, username)
    bodies: set[str] = set()
    for channel in list_channels(session, viewer):
        page = list_messages(session, viewer, channel.id, limit=200)
        assert page.next_cursor is None
        bodies |= {message.body for message in page.items}
    return bodies


def counts(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Channel, Message, GlossaryTerm)
    )


def test_seeding_twice_creates_once(demo: Node) -> None:
    with demo.db.reading() as session:
        before = counts(session)
    assert before == (len(CHANNELS), len(POSTS), len(GLOSSARY))
    with demo.db.writing() as session:
        assert seed_channels(session, ORIGIN) == 0
        assert seed(session, ORIGIN) == []
    with demo.db.reading() as session:
        assert counts(session) == before


def test_the_french_officer_sees_the_shared_messages_and_no_uk_only_one(demo: Node) -> None:
    shared = {post.edited_to or post.body for post in POSTS if post.label == SECRET_GBR_FRA}
    uk_only = {post.edited_to or post.body for post in POSTS if post.label == SECRET_GBR}
    assert shared
    assert uk_only
    with demo.db.reading() as session:
        french = seen_bodies(session, "fra.lno")
        british = seen_bodies(session, "gbr.lno")
        assert {channel.name for channel in list_channels(session, account(session, "fra.lno"))}
        assert shared <= french
        assert not uk_only & french
        assert shared | uk_only <= british
        assert seen_bodies(session, "guest") == set()  # not a member nation, nor cleared


def test_the_corps_net_reaches_every_exercise_nation(demo: Node) -> None:
    with demo.db.reading() as session:
        net = session.scalars(select(Channel).where(Channel.name == CORPS_NET)).one()
        assert net.created_by == session.scalar(select(User.id).where(User.username == "gbr.lno"))
        for username in ("fra.lno", "usa.fdo", "deu.security"):
            names = {c.name for c in list_channels(session, account(session, username))}
            assert CORPS_NET in names
        assert BILATERAL not in {
            c.name for c in list_channels(session, account(session, "usa.fdo"))
        }
        members = session.scalars(
            select(ChannelMember.value).where(ChannelMember.channel_id == net.id)
        ).all()
        assert sorted(members) == sorted(nation.code for nation in NATIONS)


def test_thread_mention_edit_and_acknowledgements(demo: Node) -> None:
    with demo.db.reading() as session:
        replies = session.scalars(select(Message).where(Message.thread_id.is_not(None))).all()
        assert len({reply.thread_id for reply in replies}) == 2
        assert any(reply.language == "fr" for reply in replies)
        french = session.scalar(select(User.id).where(User.username == "fra.lno"))
        mentions = session.scalars(
            select(Notification).where(Notification.kind == "message.mention")
        ).all()
        assert [n.user_id for n in mentions] == [french]
        edited = session.scalars(select(Message).where(Message.edited_at.is_not(None))).one()
        assert "1600Z" in edited.body
        versions = session.scalars(
            select(MessageVersion.body).where(MessageVersion.message_id == edited.id)
        ).all()
        assert versions == [next(p.body for p in POSTS if p.edited_to)]
        immediate = session.scalars(
            select(Message).where(Message.precedence == Precedence.IMMEDIATE.value)
        ).one()
        board = acknowledgement_board(session, account(session, "fra.lno"), immediate.id)
        done = {line.display_name for line in board if line.acknowledged_at is not None}
        assert "Cdt Julien Marchand" in done


def test_the_flash_waits_for_acknowledgement(demo: Node) -> None:
    with demo.db.reading() as session:
        flash = session.scalars(
            select(Message).where(Message.precedence == Precedence.FLASH.value)
        ).one()
        assert flash.ack_required
        assert not session.scalars(
            select(MessageAcknowledgement).where(MessageAcknowledgement.message_id == flash.id)
        ).all()
        board = acknowledgement_board(session, account(session, "fra.lno"), flash.id)
        names = {line.display_name for line in board}
        assert {"Cdt Julien Marchand", "LTC Dana Whitaker"} <= names
        assert all(line.acknowledged_at is None for line in board)


def test_the_uk_glossary_explains_msr_in_a_message(demo: Node) -> None:
    with demo.db.reading() as session:
        office = session.scalars(select(Office.id).where(Office.name == "UK Liaison Office")).one()
        message = session.scalars(select(Message).where(Message.body.startswith("MSR"))).one()
        found = terms_in(
            session,
            account(session, "fra.lno"),
            message.body,
            office_id=office,
            language=message.language,
        )
        assert [match.term for match in found][:1] == ["MSR"]
        assert "itinéraire principal de ravitaillement" in found[0].entry.terms["fr"]
        french = session.scalars(
            select(Message).where(Message.body.startswith("Itinéraire principal"))
        ).one()
        assert french.language == "fr"
        matches = terms_in(
            session,
            account(session, "fra.lno"),
            french.body,
            office_id=office,
            language="fr",
        )
        assert {match.term for match in matches} >= {"itinéraire principal de ravitaillement"}
