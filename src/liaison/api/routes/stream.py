"""`/stream`: a WebSocket of the events the caller may see, live, resumable from a cursor.

Protocol:
- Authenticate with `Authorization: Bearer <token>`, or with the browser session cookie and an
  `Origin` naming this host (a cookie alone would let any site open the socket as its visitor).
  Refused: closed with 1008 during the handshake, before anything is sent.
- `?cursor=<cursor>`: the cursor of the last frame the client received; events after it
  follow, once each and in order. Without it, the stream starts with the events committed once
  the handshake is done. Malformed or forged: accepted, then closed with 1008 and a reason.
  Cursors are opaque (`events.cursor`): their gaps reveal nothing of the events not sent.
- Frames, one JSON text per event: {"cursor", "kind", "object_type", "object_id", "at",
  "data"}.
  The client sends nothing; pings are the server's (uvicorn sends them every 20 s).
- Closed with 1013 when the client reads too slowly for its queue (or the process has only
  just started and not yet read the outbox); with 1008 when its credential is revoked or
  expires (re-checked every RECHECK_SECONDS, and at once when an event concerns its user or
  credential). Either way it may reconnect with its cursor.

Resume without gap or duplicate: the subscriber joins the fan-out first (its live frames
queue from then), learning the seq up to which the tail had handed events on; the stream
reads the outbox itself from the cursor up to that seq, then sends the queued frames, skipping
any seq already sent. A change of clearance or roles restarts the same procedure after the
last frame sent, so nothing decided on the old principal is sent afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from starlette.concurrency import run_in_threadpool

from liaison.actions.accounts import TOKEN_PREFIX
from liaison.domain.accounts import Principal
from liaison.events.cursor import CursorCodec
from liaison.events.gates import Fanout, Subscriber
from liaison.events.tail import OutboxTail
from liaison.http.credentials import CredentialCache
from liaison.http.deps import SESSION_COOKIE
from liaison.node import Node
from liaison.queries.accounts import Holder

router = APIRouter(tags=["stream"])

RECHECK_SECONDS = 30.0
STARTING_SECONDS = 5.0  # how long a client may wait for a tail that has not read yet
CLOSE_SECONDS = 5.0  # a client that does not read will not read a close frame either

POLICY = status.WS_1008_POLICY_VIOLATION
TRY_AGAIN = status.WS_1013_TRY_AGAIN_LATER


def stream_cursors(node: Node) -> CursorCodec:
    return CursorCodec(node.settings.resolved_secret_key)


class Live:
    """This process's outbox tail and the stream's fan-out, started and stopped with the app."""

    def __init__(self, node: Node) -> None:
        self.tail = OutboxTail(node.db, node.bus)
        self.cursors = stream_cursors(node)
        self.fanout = Fanout(node.db, self.tail, self.cursors)

    def start(self) -> None:
        self.tail.start()

    def stop(self) -> None:
        self.tail.stop()


@dataclass(frozen=True, slots=True)
class Credential:
    secret: str
    kind: str
    holder: Holder


@router.websocket("/stream")
async def stream(websocket: WebSocket) -> None:
    credential = await _authenticate(websocket)
    if credential is None:
        await websocket.close(POLICY, "sign in, or send a valid bearer token")
        return
    live: Live = websocket.app.state.live
    cursor = websocket.query_params.get("cursor")
    try:
        after = live.cursors.decode(cursor) if cursor is not None else None
    except ValueError:
        await websocket.accept()  # a close reason only reaches the client after the handshake
        await websocket.close(POLICY, "cursor must be the cursor of the last frame received")
        return
    await _Stream(websocket, live.fanout, credential).run(after)


async def _authenticate(websocket: WebSocket) -> Credential | None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        secret, kind = token, "api"
    else:
        origin = urlsplit(websocket.headers.get("origin", "")).netloc
        if not origin or origin.lower() != websocket.headers.get("host", "").lower():
            return None
        secret, kind = websocket.cookies.get(SESSION_COOKIE, ""), "session"
    if not secret.startswith(TOKEN_PREFIX):
        return None
    credentials: CredentialCache = websocket.app.state.credentials
    found = credentials.cached(secret, kind) or await run_in_threadpool(
        credentials.load, secret, kind
    )
    return Credential(secret, kind, found) if found is not None else None


class _Starting(Exception):
    """The outbox tail has not read the outbox yet (the app has just started)."""


class _Stream:
    """One connection: serving frames, watching for the client leaving or falling behind."""

    def __init__(self, websocket: WebSocket, fanout: Fanout, credential: Credential) -> None:
        self._ws = websocket
        self._fanout = fanout
        self._credential = credential
        self._credentials: CredentialCache = websocket.app.state.credentials
        self._loop = asyncio.get_running_loop()
        self._too_slow = asyncio.Event()
        self._subscriber: Subscriber | None = None

    async def run(self, cursor: int | None) -> None:
        """Serve until the client leaves, falls behind, or its credential fails.

        The subscriber joins before the handshake completes, so a client without a cursor is
        sent every event committed after its connection was accepted.
        """
        closing: tuple[int, str] | None = None
        try:
            try:
                subscriber, through = await self._join(self._credential.holder.principal)
            except _Starting:
                await self._ws.accept()
                await self._ws.close(TRY_AGAIN, "the stream is starting: try again")
                return
            after = cursor
            if after is None:
                after = max(through, await run_in_threadpool(self._fanout.newest))
            await self._ws.accept()
            async with anyio.create_task_group() as tasks:

                async def serve() -> None:
                    nonlocal closing
                    with contextlib.suppress(WebSocketDisconnect):
                        closing = await self._serve(subscriber, after, through)
                    tasks.cancel_scope.cancel()

                async def watch_speed() -> None:
                    nonlocal closing
                    await self._too_slow.wait()
                    closing = TRY_AGAIN, "too slow: reconnect with your cursor"
                    tasks.cancel_scope.cancel()

                async def watch_hangup() -> None:
                    await self._until_hangup()
                    tasks.cancel_scope.cancel()

                tasks.start_soon(serve)
                tasks.start_soon(watch_speed)
                tasks.start_soon(watch_hangup)
        finally:
            if self._subscriber is not None:
                self._fanout.leave(self._subscriber)
        if closing is not None:
            with anyio.move_on_after(CLOSE_SECONDS), contextlib.suppress(Exception):
                await self._ws.close(*closing)

    async def _until_hangup(self) -> None:
        """Read (and ignore) what the client sends, to notice when it leaves."""
        while (await self._ws.receive())["type"] != "websocket.disconnect":
            pass

    async def _join(self, principal: Principal) -> tuple[Subscriber, int]:
        """A subscriber deciding for `principal`, in place of the previous one."""
        subscriber = await run_in_threadpool(
            functools.partial(
                self._fanout.subscriber,
                principal,
                loop=self._loop,
                on_overflow=self._too_slow.set,
            )
        )
        if self._subscriber is not None:
            self._fanout.leave(self._subscriber)
        self._subscriber = subscriber  # no await since the line below: it cannot be lost
        through = self._fanout.join(subscriber)
        with anyio.move_on_after(STARTING_SECONDS):
            while through is None:  # any later position is as good: it has joined already
                await anyio.sleep(0.05)
                through = self._fanout.position
        if through is None:
            raise _Starting
        return subscriber, through

    async def _serve(self, subscriber: Subscriber, after: int, through: int) -> tuple[int, str]:
        """Deliver until the credential fails; returns the close code and reason."""
        while True:
            after = await self._backlog(subscriber, after, through)
            while True:
                after = await self._live(subscriber, after)
                holder = await run_in_threadpool(
                    self._credentials.load, self._credential.secret, self._credential.kind
                )
                if holder is None:
                    return POLICY, "credential revoked or expired"
                if subscriber.suspended or holder.principal != subscriber.principal:
                    break  # start again after the last frame sent, deciding for the new principal
            subscriber, through = await self._join(holder.principal)

    async def _backlog(self, subscriber: Subscriber, after: int, through: int) -> int:
        """Send what the subscriber may see in `after < seq <= through`; the last seq done."""
        while after < through:
            frames, read = await run_in_threadpool(self._fanout.backlog, subscriber, after, through)
            for seq, text in frames:
                if subscriber.suspended:
                    return after
                await self._ws.send_text(text)
                after = seq
            after = read
        return after

    async def _live(self, subscriber: Subscriber, after: int) -> int:
        """Send queued frames until a re-check is due or the subscriber is suspended."""
        deadline = self._loop.time() + RECHECK_SECONDS
        while not subscriber.suspended and (left := deadline - self._loop.time()) > 0:
            for seq, text in await subscriber.take(left):
                if subscriber.suspended:
                    break
                if seq > after:
                    await self._ws.send_text(text)
                    after = seq
        return after
