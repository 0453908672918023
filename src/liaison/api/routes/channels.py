"""Channels and messages over the API. A channel or message the caller may not see is not
found; lists hold only what the caller's clearance allows, with no sign of the rest."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from liaison.actions.channels import (
    do_acknowledge_message,
    do_add_members,
    do_create_channel,
    do_delete_message,
    do_edit_message,
    do_post_message,
    do_remove_member,
)
from liaison.api.channel_views import ChannelOut, MessageOut, channel_out, message_out
from liaison.api.etags import etag
from liaison.api.etags import if_match as if_match_version
from liaison.api.report_views import LabelJson, Marked, marked
from liaison.api.routes.organization import label_in
from liaison.domain.audience import Audience
from liaison.domain.channels import ChannelKind, Precedence
from liaison.domain.errors import Invalid, NotFound
from liaison.domain.geo import parse_time_zone
from liaison.domain.glossary import language_code
from liaison.http.deps import Caller, NodeDep, ReadSession
from liaison.http.rate_limit import limit_posts
from liaison.queries import channels as queries
from liaison.queries.glossary import terms_in
from liaison.security import label_from_json
from liaison.store.models import Channel, Message, StoredLabel, User
from liaison.translation.engine import TranslationUnavailable

router = APIRouter(prefix="/channels", tags=["channels"])


class MemberIn(BaseModel):
    kind: Literal["nation", "community", "office", "person"]
    value: str = Field(min_length=1, max_length=64)


class NewChannel(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: ChannelKind
    ceiling: LabelJson
    office_id: uuid.UUID | None = None
    label: LabelJson | None = None
    default_label: LabelJson | None = None
    description: str = Field(default="", max_length=2000)
    members: list[MemberIn] = Field(default_factory=list, max_length=500)


class MembersIn(BaseModel):
    members: list[MemberIn] = Field(min_length=1, max_length=500)


class NewMessage(BaseModel):
    body: str = Field(min_length=1)
    label: LabelJson | None = None
    precedence: Precedence = Precedence.ROUTINE
    ack_required: bool = False
    thread_id: uuid.UUID | None = None


class MessageChange(BaseModel):
    body: str = Field(min_length=1)
    label: LabelJson | None = None


def _members(items: list[MemberIn]) -> list[Audience]:
    try:
        return [Audience.parse(item.kind, item.value) for item in items]
    except ValueError as error:
        raise Invalid(str(error), field="members") from None


def _zone(session: Session, caller: Caller) -> ZoneInfo:
    name = session.get(User, caller.user_id)
    try:
        return parse_time_zone(name.time_zone) if name and name.time_zone else ZoneInfo("UTC")
    except ValueError:
        return ZoneInfo("UTC")


def _message(session: Session, caller: Caller, message: Message) -> MessageOut:
    names = queries.author_names(session, {message.author_id})
    return message_out(session, message, names.get(message.author_id, ""), _zone(session, caller))


# --- channels ---------------------------------------------------------------------------------


@router.post("", status_code=201)
def create_channel(body: NewChannel, caller: Caller, node: NodeDep) -> ChannelOut:
    ceiling = label_in(body.ceiling, "ceiling")
    assert ceiling is not None
    with node.db.writing() as session:
        channel = do_create_channel(
            session,
            caller,
            name=body.name,
            kind=body.kind,
            ceiling=ceiling,
            office_id=body.office_id,
            label=label_in(body.label),
            default_label=label_in(body.default_label, "default_label"),
            description=body.description,
            members=_members(body.members),
            origin=node.settings.node_name,
        )
        return channel_out(session, *queries.get_channel(session, caller, channel.id))


@router.get("")
def list_channels(caller: Caller, session: ReadSession) -> list[ChannelOut]:
    return [channel_out(session, channel) for channel in queries.list_channels(session, caller)]


@router.get("/{channel_id}")
def get_channel(channel_id: uuid.UUID, caller: Caller, session: ReadSession) -> ChannelOut:
    return channel_out(session, *queries.get_channel(session, caller, channel_id))


@router.post("/{channel_id}/members")
def add_members(
    channel_id: uuid.UUID, body: MembersIn, caller: Caller, node: NodeDep
) -> ChannelOut:
    with node.db.writing() as session:
        do_add_members(session, caller, channel_id, _members(body.members))
        return channel_out(session, *queries.get_channel(session, caller, channel_id))


@router.delete("/{channel_id}/members/{kind}/{value}", status_code=204)
def remove_member(
    channel_id: uuid.UUID, kind: str, value: str, caller: Caller, node: NodeDep
) -> Response:
    member = _members([MemberIn.model_validate({"kind": kind, "value": value})])[0]
    with node.db.writing() as session:
        do_remove_member(session, caller, channel_id, member)
    return Response(status_code=204)


# --- messages ---------------------------------------------------------------------------------


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


@router.get("/{channel_id}/messages")
def list_messages(
    channel_id: uuid.UUID,
    caller: Caller,
    session: ReadSession,
    thread_id: uuid.UUID | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = 50,
) -> MessagePage:
    page = queries.list_messages(
        session, caller, channel_id, thread_id=thread_id, cursor=cursor, limit=limit
    )
    names = queries.author_names(session, {m.author_id for m in page.items})
    zone = _zone(session, caller)
    return MessagePage(
        items=[message_out(session, m, names.get(m.author_id, ""), zone) for m in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/{channel_id}/messages", status_code=201)
def post_message(
    channel_id: uuid.UUID,
    body: NewMessage,
    request: Request,
    caller: Caller,
    node: NodeDep,
    response: Response,
) -> MessageOut:
    """413 over 16 KB; 429 when the caller posts faster than the node allows (nothing that
    was answered 201 is ever lost: the message is committed before the answer)."""
    limit_posts(request, caller)
    with node.db.writing() as session:
        message = do_post_message(
            session,
            caller,
            channel_id,
            body=body.body,
            label=label_in(body.label),
            precedence=body.precedence,
            ack_required=body.ack_required,
            thread_id=body.thread_id,
            origin=node.settings.node_name,
        )
        out = _message(session, caller, message)
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/{channel_id}/messages/{message_id}")
def edit_message(
    channel_id: uuid.UUID,
    message_id: uuid.UUID,
    body: MessageChange,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None),
) -> MessageOut:
    with node.db.writing() as session:
        _in_channel(session, caller, channel_id, message_id)
        message = do_edit_message(
            session,
            caller,
            message_id,
            body=body.body,
            label=label_in(body.label),
            expected_version=if_match_version(if_match),
        )
        out = _message(session, caller, message)
    response.headers["ETag"] = etag(out.version)
    return out


@router.delete("/{channel_id}/messages/{message_id}", status_code=204)
def delete_message(
    channel_id: uuid.UUID,
    message_id: uuid.UUID,
    caller: Caller,
    node: NodeDep,
    if_match: str | None = Header(default=None),
) -> Response:
    with node.db.writing() as session:
        _in_channel(session, caller, channel_id, message_id)
        do_delete_message(session, caller, message_id, expected_version=if_match_version(if_match))
    return Response(status_code=204)


def _in_channel(
    session: Session, caller: Caller, channel_id: uuid.UUID, message_id: uuid.UUID
) -> None:
    if queries.get_message(session, caller, message_id).channel_id != channel_id:
        raise NotFound("no such message")


class AcknowledgedOut(BaseModel):
    message_id: uuid.UUID
    acknowledged_at: datetime


@router.post("/{channel_id}/messages/{message_id}/acknowledge")
def acknowledge(
    channel_id: uuid.UUID, message_id: uuid.UUID, caller: Caller, node: NodeDep
) -> AcknowledgedOut:
    with node.db.writing() as session:
        _in_channel(session, caller, channel_id, message_id)
        done = do_acknowledge_message(session, caller, message_id)
        return AcknowledgedOut(message_id=done.message_id, acknowledged_at=done.acknowledged_at)


class AckLineOut(BaseModel):
    user_id: uuid.UUID
    display_name: str
    nation: str
    acknowledged_at: datetime | None


class AckBoardOut(BaseModel):
    acknowledged: int
    waiting: int
    readers: list[AckLineOut]


@router.get("/{channel_id}/messages/{message_id}/acknowledgements")
def acknowledgements(
    channel_id: uuid.UUID, message_id: uuid.UUID, caller: Caller, session: ReadSession
) -> AckBoardOut:
    _in_channel(session, caller, channel_id, message_id)
    lines = [
        AckLineOut.model_validate(line, from_attributes=True)
        for line in queries.acknowledgement_board(session, caller, message_id)
    ]
    done = sum(line.acknowledged_at is not None for line in lines)
    return AckBoardOut(acknowledged=done, waiting=len(lines) - done, readers=lines)


# --- help across languages --------------------------------------------------------------------


class TermOut(BaseModel):
    term: str
    language: str
    start: int
    end: int
    equivalents: dict[str, list[str]]
    definition: str


class TranslationOut(Marked):
    text: str
    source: str
    target: str
    engine: str


class LanguageHelpOut(BaseModel):
    language: str | None
    target: str
    translation: TranslationOut | None
    why_not_translated: str | None
    terms: list[TermOut]


@router.get("/{channel_id}/messages/{message_id}/help")
def language_help(
    channel_id: uuid.UUID,
    message_id: uuid.UUID,
    caller: Caller,
    node: NodeDep,
    session: ReadSession,
    target: str = Query(min_length=2, max_length=8, description="ISO 639-1, e.g. fr"),
) -> LanguageHelpOut:
    """A translation of the message when the node's engine may be sent it (the translation
    carries the message's own label), and the glossary terms found in it either way."""
    _in_channel(session, caller, channel_id, message_id)
    message = queries.get_message(session, caller, message_id)
    channel = session.get(Channel, message.channel_id)
    wanted = language_code(target)
    if wanted is None:
        raise Invalid(f"unknown language {target!r}", field="target")
    terms = terms_in(
        session,
        caller,
        message.body,
        office_id=channel.office_id if channel else None,
        language=None,
    )
    translation, why_not = _translate(node, session, message, wanted)
    return LanguageHelpOut(
        language=message.language,
        target=wanted,
        translation=translation,
        why_not_translated=why_not,
        terms=[
            TermOut(
                term=match.term,
                language=match.language,
                start=match.start,
                end=match.end,
                equivalents={k: list(v) for k, v in match.entry.terms.items()},
                definition=match.entry.definition,
            )
            for match in terms
        ],
    )


def _translate(
    node: NodeDep, session: Session, message: Message, target: str
) -> tuple[TranslationOut | None, str | None]:
    translator = node.translator
    if translator is None:
        return None, "no translation engine is configured on this node"
    if message.deleted_at is not None or not message.body:
        return None, "the message was deleted"
    if message.language is None:
        return None, "the message's language could not be told"
    if message.language == target:
        return None, "the message is already in that language"
    stored = session.get(StoredLabel, message.label_id)
    assert stored is not None
    label = label_from_json(stored.canonical)
    if (
        translator.clearance is None
        or not node.labels.registry.decide(label, translator.clearance).granted
    ):
        return None, "the translation engine is not cleared for this message's label"
    try:
        text = translator.engine.translate(message.body, message.language, target)
    except TranslationUnavailable as error:
        return None, str(error)
    return (
        TranslationOut(
            **marked(session, message.label_id).model_dump(),
            text=text,
            source=message.language,
            target=target,
            engine=translator.engine.name,
        ),
        None,
    )
