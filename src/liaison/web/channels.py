"""Channel pages: the channels the reader is in, a channel's messages (each with its own marking,
precedence, author and date-time group, replies under their thread, tombstones), posting,
acknowledging, the acknowledgement board, and the message fragment the live page appends.

Reads go through `queries.channels`, changes through `actions.channels`; a channel or message
the reader may not see is "not found" on every route.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from liaison.actions.channels import do_acknowledge_message, do_post_message
from liaison.domain.channels import MAX_MESSAGE_BYTES, Precedence
from liaison.domain.errors import LiaisonError, NotFound
from liaison.http.rate_limit import limit_posts
from liaison.queries import channels as queries
from liaison.queries.visibility import visible
from liaison.security import Label, TagKind, label_from_json
from liaison.store.models import Channel, Message, MessageAcknowledgement, StoredLabel
from liaison.web.i18n import ENVIRONMENTS
from liaison.web.pages import NODE_POLICY, Web, WebDep, WebRoute, page_id, render
from liaison.web.picker import RELEASABLE_TO, Picker, picked_label, picker

router = APIRouter(route_class=WebRoute)
PAGE_SIZE = 50
PICKER = "message"  # the label picker's field prefix
MAX_SHOWN_LABELS = 500  # label ids a live page may name when asking for a fragment


@dataclass
class Shown:
    """A message as the channel page shows it, with its replies when it starts a thread."""

    message: Message
    author: str
    acknowledged: bool
    replies: list[Shown] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Draft:
    """What the post form holds: the channel's defaults, or what was sent back with an error."""

    body: str
    classification: str
    releasable: tuple[str, ...]
    precedence: str
    ack_required: bool
    thread_id: str


# --- reading ----------------------------------------------------------------------------------


@router.get("/channels", name="channels")
def channels_page(web: WebDep) -> Response:
    channels = queries.list_channels(web.session, web.principal)
    return render(web, "channels/list.html", {"channels": channels}, [c.label_id for c in channels])


@router.get("/channels/{channel_id}", name="channel")
def channel_page(
    channel_id: uuid.UUID,
    web: WebDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    reply: Annotated[str | None, Query(max_length=36)] = None,
) -> Response:
    channel, _members = queries.get_channel(web.session, web.principal, channel_id)
    draft = _default_draft(web, channel, thread_id=reply or "")
    return _render_channel(web, channel_id, draft, cursor=cursor)


def _render_channel(
    web: Web,
    channel_id: uuid.UUID,
    draft: Draft,
    *,
    cursor: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session, me = web.session, web.principal
    channel, members = queries.get_channel(session, me, channel_id)
    page = queries.list_messages(session, me, channel.id, cursor=cursor, limit=PAGE_SIZE)
    messages = list(reversed(page.items))  # newest at the bottom
    replying_to = None
    if draft.thread_id:
        replying_to = queries.get_message(session, me, page_id(draft.thread_id))
        if replying_to.channel_id != channel.id or replying_to.deleted_at is not None:
            raise NotFound("no such message")
    # The ceiling and default are markings named, not markings of what is shown.
    labels = [channel.label_id, *(message.label_id for message in messages)]
    context = {
        "channel": channel,
        "members": members,
        "threads": _threads(web, messages),
        "older": page.next_cursor,
        "draft": draft,
        "replying_to": _threads(web, [replying_to])[0] if replying_to else None,
        "picker": _picker(web),
        "precedences": [p.value for p in Precedence],
        "max_bytes": MAX_MESSAGE_BYTES,
        "error": error,
    }
    if replying_to is not None:
        labels.append(replying_to.label_id)
    return render(web, "channels/channel.html", context, labels, status_code=status_code)


def _threads(web: Web, messages: Sequence[Message]) -> list[Shown]:
    """The messages in order, each reply under its thread's first message when that is shown
    (else on its own)."""
    names = queries.author_names(web.session, {m.author_id for m in messages})
    acknowledged = _acknowledged(web, [m.id for m in messages if m.ack_required])
    shown = {m.id: Shown(m, names.get(m.author_id, ""), m.id in acknowledged) for m in messages}
    tops = []
    for item in shown.values():
        root = shown.get(item.message.thread_id) if item.message.thread_id else None
        if root is not None:
            root.replies.append(item)
        else:
            tops.append(item)
    return tops


def _acknowledged(web: Web, message_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not message_ids:
        return set()
    query = select(MessageAcknowledgement.message_id).where(
        MessageAcknowledgement.user_id == web.principal.user_id,
        MessageAcknowledgement.message_id.in_(message_ids),
    )
    return set(web.session.scalars(query))


def _in_channel(web: Web, channel_id: uuid.UUID, message_id: uuid.UUID) -> Message:
    message = queries.get_message(web.session, web.principal, message_id)
    if message.channel_id != channel_id:
        raise NotFound("no such message")
    return message


@router.get("/channels/{channel_id}/messages/{message_id}/fragment")
def message_fragment(
    channel_id: uuid.UUID,
    message_id: uuid.UUID,
    web: WebDep,
    shown: Annotated[str, Query(max_length=8000)] = "",
) -> Response:
    """One message as the channel page shows it, for the live page to append; with the banner
    the page should now carry: the highest of the message's label and the labels the page
    already shows (`shown`, label ids; only those the reader may read are counted)."""
    message = _in_channel(web, channel_id, message_id)
    item = _threads(web, [message])[0]
    labels = [message.label_id, *_readable_labels(web, _label_ids(shown))]
    banner = web.banner(labels)
    html = (
        ENVIRONMENTS[web.language]
        .get_template("channels/fragment.html")
        .render(web=web, item=item, banner=banner, marks=web.marks, dtg=web.dtg)
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def _label_ids(text: str) -> list[int]:
    ids = [part for part in text.split(",") if part.strip()][:MAX_SHOWN_LABELS]
    try:
        return [int(part) for part in ids]
    except ValueError:
        raise NotFound("not found") from None


def _readable_labels(web: Web, label_ids: Iterable[int]) -> list[int]:
    wanted = set(label_ids)
    if not wanted:
        return []
    query = select(StoredLabel.id).where(StoredLabel.id.in_(wanted))
    return list(
        web.session.scalars(visible(web.session, query, web.principal, StoredLabel.id.expression))
    )


@router.get("/channels/{channel_id}/messages/{message_id}/acknowledgements", name="channel_acks")
def acknowledgements_page(channel_id: uuid.UUID, message_id: uuid.UUID, web: WebDep) -> Response:
    channel, _members = queries.get_channel(web.session, web.principal, channel_id)
    message = _in_channel(web, channel.id, message_id)
    lines = queries.acknowledgement_board(web.session, web.principal, message.id)
    context = {
        "channel": channel,
        "item": _threads(web, [message])[0],
        "lines": lines,
        "done": sum(1 for line in lines if line.acknowledged_at is not None),
    }
    return render(web, "channels/acks.html", context, [channel.label_id, message.label_id])


# --- posting and acknowledging ----------------------------------------------------------------


@router.post("/channels/{channel_id}/messages")
def post_message(
    channel_id: uuid.UUID,
    request: Request,
    web: WebDep,
    csrf_token: Annotated[str, Form(max_length=128)],
    body: Annotated[str, Form(max_length=MAX_MESSAGE_BYTES * 2)] = "",
    classification: Annotated[str, Form(alias=f"{PICKER}-classification", max_length=40)] = "",
    releasable: Annotated[list[str] | None, Form(alias=f"{PICKER}-releasable")] = None,
    precedence: Annotated[str, Form(max_length=16)] = Precedence.ROUTINE.value,
    ack_required: Annotated[str, Form(max_length=8)] = "",
    thread_id: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    web.check_csrf(csrf_token)
    channel, _members = queries.get_channel(web.session, web.principal, channel_id)
    draft = Draft(
        body, classification, tuple(releasable or ()), precedence, bool(ack_required), thread_id
    )
    try:
        limit_posts(request, web.principal)
    except HTTPException as refused:
        error = web.gettext("You are posting too fast: wait a moment and send again.")
        response = _render_channel(web, channel.id, draft, error=error, status_code=429)
        response.headers.update(refused.headers or {})
        return response
    try:
        message_id = _post(web, channel, draft)
    except LiaisonError as error:
        if isinstance(error, NotFound):
            raise
        return _render_channel(web, channel.id, draft, error=str(error), status_code=422)
    return RedirectResponse(f"/channels/{channel.id}#m-{message_id}", status_code=303)


def _post(web: Web, channel: Channel, draft: Draft) -> uuid.UUID:
    try:
        chosen = Precedence(draft.precedence)
    except ValueError:
        chosen = Precedence.ROUTINE
    with web.node.db.writing() as session:
        message = do_post_message(
            session,
            web.principal,
            channel.id,
            body=draft.body,
            label=_label(web, channel, draft),
            precedence=chosen,
            ack_required=draft.ack_required,
            thread_id=page_id(draft.thread_id) if draft.thread_id else None,
            origin=web.node.settings.node_name,
        )
        return message.id


def _label(web: Web, channel: Channel, draft: Draft) -> Label | None:
    """The label picked; None (the channel's default, whole) when the picker still shows it."""
    if not draft.classification:
        return None
    default = _default_draft(web, channel)
    if (draft.classification, set(draft.releasable)) == (
        default.classification,
        set(default.releasable),
    ):
        return None
    return picked_label(_picker(web).policy, draft.classification, draft.releasable)


@router.post("/channels/{channel_id}/messages/{message_id}/acknowledge")
def acknowledge(
    channel_id: uuid.UUID,
    message_id: uuid.UUID,
    web: WebDep,
    csrf_token: Annotated[str, Form(max_length=128)],
) -> Response:
    web.check_csrf(csrf_token)
    _in_channel(web, channel_id, message_id)
    with web.node.db.writing() as session:
        do_acknowledge_message(session, web.principal, message_id)
    return RedirectResponse(f"/channels/{channel_id}#m-{message_id}", status_code=303)


# --- helpers ----------------------------------------------------------------------------------


def _picker(web: Web) -> Picker:
    policy = web.policy(NODE_POLICY)
    if policy is None:
        raise RuntimeError(f"the node has no {NODE_POLICY} policy")
    return picker(policy, web.language)


def _default_draft(web: Web, channel: Channel, *, thread_id: str = "") -> Draft:
    """An empty post form, its picker showing the channel's default label."""
    stored = web.session.get(StoredLabel, channel.default_label_id)
    assert stored is not None  # the foreign key holds
    label = label_from_json(stored.canonical)
    releasable: tuple[str, ...] = ()
    for category in label.categories:
        if category.tag_set == RELEASABLE_TO and category.kind is TagKind.PERMISSIVE:
            releasable = tuple(sorted(category.values))
    return Draft("", label.classification, releasable, Precedence.ROUTINE.value, False, thread_id)
