"""Channels and messages: creating channels with a ceiling and members, posting labelled
messages with a precedence, threads and mentions, versioned edits, tombstone deletions, and
acknowledgements. Every message event names its channel, so the live stream can decide each
subscriber in memory."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.notifications import notify_users
from liaison.actions.policies import label_or_office_default, prepare_label
from liaison.actions.recording import record
from liaison.actions.sight import check_audiences, seen
from liaison.audit.log import content_digest
from liaison.domain.accounts import Principal, Role
from liaison.domain.audience import Audience
from liaison.domain.channels import (
    MAX_CHANNEL_NAME,
    ChannelKind,
    Precedence,
    above_ceiling,
    check_body,
    mentioned_usernames,
)
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale, TooLarge
from liaison.domain.language_detection import detect_language
from liaison.security import Label, label_from_json
from liaison.store.channel_access import readable_channel, readable_message
from liaison.store.labels import authority_of
from liaison.store.models import (
    Channel,
    ChannelMember,
    Message,
    MessageAcknowledgement,
    MessageVersion,
    Office,
    StoredLabel,
    User,
)
from liaison.store.types import utcnow

WRITERS = (Role.OFFICER, Role.RELEASING_OFFICER, Role.SECURITY_OFFICER, Role.ADMIN)


# --- channels ---------------------------------------------------------------------------------


def do_create_channel(
    session: Session,
    actor: Principal,
    *,
    name: str,
    kind: ChannelKind,
    ceiling: Label,
    office_id: uuid.UUID | None = None,
    label: Label | None = None,
    default_label: Label | None = None,
    description: str = "",
    members: Sequence[Audience] = (),
    origin: str,
) -> Channel:
    """A channel; its label (the office's default if not given) covers its name and members,
    and messages default to `default_label` (else the channel's label), under `ceiling`."""
    actor.require_any(*WRITERS)
    name = name.strip()
    if not name or len(name) > MAX_CHANNEL_NAME:
        raise Invalid(f"a channel name has 1 to {MAX_CHANNEL_NAME} characters", field="name")
    if office_id is not None:
        seen(session, actor, Office, office_id, "office")
        own = label_or_office_default(session, actor, label, office_id)
    elif label is not None:
        own = prepare_label(session, actor, label)
    else:
        raise Invalid("give the channel's office, or its label", field="label")
    top = prepare_label(session, actor, ceiling)
    fallback = prepare_label(session, actor, default_label) if default_label else own
    _under_ceiling(session, top, fallback, "default_label")
    channel = Channel(
        name=name,
        kind=kind.value,
        description=description.strip()[:2000],
        office_id=office_id,
        label_id=own.id,
        ceiling_label_id=top.id,
        default_label_id=fallback.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(channel)
    session.flush()
    _add_members(session, actor, channel, members)
    _record_channel(session, actor, "channel.create", channel)
    return channel


def do_add_members(
    session: Session, actor: Principal, channel_id: uuid.UUID, members: Sequence[Audience]
) -> Channel:
    channel = _managed(session, actor, channel_id)
    _add_members(session, actor, channel, members)
    _record_channel(session, actor, "channel.members", channel)
    return channel


def do_remove_member(
    session: Session, actor: Principal, channel_id: uuid.UUID, member: Audience
) -> Channel:
    channel = _managed(session, actor, channel_id)
    row = session.get(ChannelMember, (channel.id, member.kind.value, member.value))
    if row is None:
        raise NotFound("no such member")
    session.delete(row)
    _record_channel(session, actor, "channel.members", channel)
    return channel


def _managed(session: Session, actor: Principal, channel_id: uuid.UUID) -> Channel:
    channel = readable_channel(session, actor, channel_id)
    if channel is None:
        raise NotFound("no such channel")
    if channel.created_by != actor.user_id and not actor.has(Role.ADMIN):
        raise Forbidden("only the channel's creator or an administrator manages its members")
    return channel


def _add_members(
    session: Session, actor: Principal, channel: Channel, members: Sequence[Audience]
) -> None:
    for member in check_audiences(session, actor, members, "members"):
        if session.get(ChannelMember, (channel.id, member.kind.value, member.value)) is None:
            session.add(ChannelMember(channel_id=channel.id, kind=member.kind, value=member.value))
    session.flush()


# --- messages ---------------------------------------------------------------------------------


def do_post_message(
    session: Session,
    actor: Principal,
    channel_id: uuid.UUID,
    *,
    body: str,
    label: Label | None = None,
    precedence: Precedence = Precedence.ROUTINE,
    ack_required: bool = False,
    thread_id: uuid.UUID | None = None,
    origin: str,
) -> Message:
    """A message in a channel the actor is in, labelled `label` or the channel's default."""
    actor.require_any(*WRITERS)
    text = _body(body)
    language = detect_language(text)  # before any SQL: no lock is held while it runs
    channel = readable_channel(session, actor, channel_id)
    if channel is None:
        raise NotFound("no such channel")
    stored = _message_label(session, actor, channel, label)
    if thread_id is not None:
        root = readable_message(session, actor, thread_id)
        if root is None or root.channel_id != channel.id or root.deleted_at is not None:
            raise NotFound("no such thread")
        thread_id = root.thread_id or root.id
    message = Message(
        channel_id=channel.id,
        thread_id=thread_id,
        author_id=actor.user_id,
        body=text,
        language=language,
        precedence=precedence.value,
        ack_required=ack_required,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(message)
    session.flush()
    _mention(session, message, text)
    _record_message(session, actor, "message.post", message, event="message.posted")
    return message


def do_edit_message(
    session: Session,
    actor: Principal,
    message_id: uuid.UUID,
    *,
    body: str,
    label: Label | None = None,
    expected_version: int | None = None,
) -> Message:
    """Change one's own message; what it said before is kept, under the label it had."""
    text = _body(body)
    language = detect_language(text)  # before any SQL, as in do_post_message
    message = _own(session, actor, message_id, expected_version)
    channel = session.get(Channel, message.channel_id)
    assert channel is not None
    stored = _message_label(session, actor, channel, label) if label else None
    _keep_version(session, actor, message)
    message.body, message.edited_at, message.language = text, utcnow(), language
    if stored is not None:
        message.label_id = stored.id
    session.flush()
    _mention(session, message, text)
    _record_message(session, actor, "message.edit", message, event="message.edited")
    return message


def do_delete_message(
    session: Session, actor: Principal, message_id: uuid.UUID, *, expected_version: int | None
) -> Message:
    """Leave a tombstone: the body goes from the channel, kept (labelled) for the audit."""
    message = _own(session, actor, message_id, expected_version, security_officer_too=True)
    _keep_version(session, actor, message)
    message.body, message.deleted_at = "", utcnow()
    _record_message(session, actor, "message.delete", message, event="message.deleted")
    return message


def do_acknowledge_message(
    session: Session, actor: Principal, message_id: uuid.UUID
) -> MessageAcknowledgement:
    message = readable_message(session, actor, message_id)
    if message is None or message.deleted_at is not None:
        raise NotFound("no such message")
    if not message.ack_required:
        raise Conflict("this message does not ask for acknowledgement")
    existing = session.get(MessageAcknowledgement, (message.id, actor.user_id))
    if existing is not None:
        return existing
    acknowledgement = MessageAcknowledgement(message_id=message.id, user_id=actor.user_id)
    session.add(acknowledgement)
    _record_message(session, actor, "message.acknowledge", message, event="message.acknowledged")
    return acknowledgement


# --- shared checks ----------------------------------------------------------------------------


def _body(body: str) -> str:
    try:
        return check_body(body)
    except OverflowError:
        raise TooLarge(len(body.encode())) from None
    except ValueError as error:
        raise Invalid(str(error), field="body") from None


def _message_label(
    session: Session, actor: Principal, channel: Channel, label: Label | None
) -> StoredLabel:
    if label is None:
        default = session.get(StoredLabel, channel.default_label_id)
        assert default is not None
        label = label_from_json(default.canonical)
    stored = prepare_label(session, actor, label)
    ceiling = session.get(StoredLabel, channel.ceiling_label_id)
    assert ceiling is not None
    _under_ceiling(session, ceiling, stored, "label")
    return stored


def _under_ceiling(session: Session, ceiling: StoredLabel, label: StoredLabel, field: str) -> None:
    top, wanted = label_from_json(ceiling.canonical), label_from_json(label.canonical)
    policy = authority_of(session).registry.get(top.policy)
    if policy is None or not policy.identifies(wanted.policy):
        raise Invalid("the label's policy is not the channel's", field=field)
    reason = above_ceiling(policy, top, wanted)
    if reason is not None:
        raise Invalid(reason, field=field)


def _mention(session: Session, message: Message, text: str) -> None:
    """Record and notify the users mentioned who may read the message (newly mentioned ones,
    after an edit); others are silently not told."""
    names = mentioned_usernames(text)
    users = session.scalars(select(User).where(User.username.in_(names), User.is_active))
    mentioned = [
        str(user.id)
        for user in users
        if user.id != message.author_id
        and readable_message(session, user.principal(), message.id) is not None
    ]
    new = [uuid.UUID(user_id) for user_id in mentioned if user_id not in (message.mentions or [])]
    message.mentions = mentioned
    notify_users(session, message, "message.mention", new)


def _own(
    session: Session,
    actor: Principal,
    message_id: uuid.UUID,
    expected_version: int | None,
    *,
    security_officer_too: bool = False,
) -> Message:
    message = readable_message(session, actor, message_id, lock=True)
    if message is None or message.deleted_at is not None:
        raise NotFound("no such message")
    allowed = message.author_id == actor.user_id or (
        security_officer_too and actor.has(Role.SECURITY_OFFICER)
    )
    if not allowed:
        raise Forbidden("only the message's author may change it")
    if expected_version is not None and expected_version != message.version:
        raise Stale(f"message changed since version {expected_version}; reload and retry")
    return message


def _keep_version(session: Session, actor: Principal, message: Message) -> None:
    session.add(
        MessageVersion(
            message_id=message.id,
            version=message.version,
            body=message.body,
            label_id=message.label_id,
            replaced_by=actor.user_id,
        )
    )


def _record_channel(session: Session, actor: Principal, action: str, channel: Channel) -> None:
    session.flush()
    record(
        session,
        actor,
        action,
        object_type="channel",
        object_id=channel.id,
        label_id=str(channel.label_id),
        event="channel.changed",
        payload={"channel_id": str(channel.id)},
    )


def _record_message(
    session: Session, actor: Principal, action: str, message: Message, *, event: str
) -> None:
    session.flush()
    record(
        session,
        actor,
        action,
        object_type="message",
        object_id=message.id,
        label_id=str(message.label_id),
        content_hash=content_digest(message.body),
        event=event,
        payload={"channel_id": str(message.channel_id), "precedence": message.precedence},
    )
