"""The live stream under load: delivery latency to many clients, and catch-up.

A real server (`python -m liaison serve`, one worker) runs as a separate process on a fresh
node (SQLite in a temporary data dir, or LIAISON_BENCH_DATABASE_URL); users, clearances and a
channel are seeded through the actions before it starts. In this process, one asyncio loop
holds the WebSocket clients and a thread posts over HTTP on schedule (each POST started at its
due time, LIAISON_BENCH_STREAM_POSTERS in flight at most, default 8).

1. Live: LIAISON_BENCH_STREAM_CLIENTS clients (default 500; a handful of users, tokens shared)
   connected to /api/v1/stream while one author posts LIAISON_BENCH_STREAM_RATE messages a
   second (default 100) for LIAISON_BENCH_STREAM_SECONDS (default 20). Every client is a member
   of the channel and cleared for the message label, so each must receive every message.
   Latency: from just before the POST is sent to the frame's arrival at a client (the body
   carries the sequence number), over every (client, message). Target p99 < 200 ms; missing 0.
   A client closed by the server (1013, too slow) reconnects with its last cursor, as a real
   one would: such closes are counted and reported.
2. Catch-up: one client disconnects, LIAISON_BENCH_CATCHUP messages (default 10,000) are posted
   through `do_post_message` in this process (in batches, straight into the server's database),
   then the client reconnects with its last cursor: time until it has received them all, and
   whether what it received is exactly what was posted (ids, in order, no duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import BENCH_DATABASE_URL, fresh_node, report
from liaison.actions.accounts import do_create_user, do_set_clearance
from liaison.actions.channels import do_create_channel, do_post_message
from liaison.domain.accounts import SYSTEM, Principal, Role
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.channels import ChannelKind
from liaison.node import Node
from liaison.security import Clearance, Label, LabelCategory, TagKind

CLIENTS = int(os.environ.get("LIAISON_BENCH_STREAM_CLIENTS", 500))
RATE = float(os.environ.get("LIAISON_BENCH_STREAM_RATE", 100))
SECONDS = float(os.environ.get("LIAISON_BENCH_STREAM_SECONDS", 20))
CATCHUP = int(os.environ.get("LIAISON_BENCH_CATCHUP", 10_000))
TARGET_P99_MS = 200.0
ORIGIN = "bench.liaison"
NATIONS = ("GBR", "FRA", "USA", "DEU", "POL")
PASSWORD = "bench-password-long-enough"
LIVE_MARK = "bench-live "
CATCHUP_MARK = "bench-catchup "
CATCHUP_BATCH = 500  # messages per unit of work when filling the gap
POSTERS = int(os.environ.get("LIAISON_BENCH_STREAM_POSTERS", 8))  # POSTs in flight at most
CONNECTING = 50  # handshakes in flight at once
SETTLE_SECONDS = 10.0  # how long to wait for stragglers once posting has stopped
LEVELS = frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"})


def _nato(classification: str, *releasable: str) -> Label:
    category = LabelCategory("Releasable To", TagKind.PERMISSIVE, frozenset(releasable))
    return Label("NATO", classification, (category,) if releasable else ())


# --- setup ------------------------------------------------------------------------------------


@dataclass
class World:
    channel_id: uuid.UUID
    author: Principal
    readers: list[str]  # usernames


def _seed(node: Node) -> World:
    """An author and one reader a nation, cleared NATO SECRET, all members of one channel."""
    with node.db.writing() as session:
        ids = {}
        for username, nation in [("bench.author", "GBR")] + [
            (f"bench.{nation.lower()}", nation) for nation in NATIONS
        ]:
            user = do_create_user(
                session,
                SYSTEM,
                username=username,
                display_name=username,
                nation=nation,
                roles=["officer"],
                password=PASSWORD,
                origin=ORIGIN,
            )
            clearance = {
                "policy": "NATO",
                "classifications": sorted(LEVELS),
                "categories": {"Releasable To": [nation, "NATO"]},
            }
            do_set_clearance(session, SYSTEM, user.id, clearance)
            ids[username] = user.id
        author = Principal(
            ids["bench.author"], "bench.author", "bench.author", "GBR", frozenset({Role.OFFICER}),
            None, Clearance("NATO", LEVELS, {"Releasable To": frozenset({"GBR", "NATO"})}),
        )  # fmt: skip
        channel = do_create_channel(
            session,
            author,
            name="Stream bench net",
            kind=ChannelKind.ALLIANCE,
            ceiling=_nato("SECRET", "NATO"),
            label=_nato("UNCLASSIFIED", "NATO"),
            default_label=_nato("RESTRICTED", "NATO"),
            members=[Audience(AudienceKind.NATION, code) for code in NATIONS],
            origin=ORIGIN,
        )
    return World(channel.id, author, [f"bench.{nation.lower()}" for nation in NATIONS])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`python -m liaison serve` on the bench's data dir; stopped (its group) on exit."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            LIAISON_DATA_DIR=str(data_dir),
            LIAISON_NODE_NAME=ORIGIN,
            LIAISON_MESSAGES_PER_MINUTE=str(10**9),
            LIAISON_MESSAGE_BURST=str(10**6),
            LIAISON_LOG_LEVEL="WARNING",
        )
        if BENCH_DATABASE_URL:
            env["LIAISON_DATABASE_URL"] = BENCH_DATABASE_URL
        command = [sys.executable, "-m", "liaison", "serve", "--host", "127.0.0.1"]
        self.log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}: see {self.log.name}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("server not ready in time")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


def _tokens(base: str, usernames: list[str]) -> dict[str, str]:
    tokens = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for username in usernames:
            answer = client.post(
                "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            answer.raise_for_status()
            tokens[username] = answer.json()["access_token"]
    return tokens


# --- clients ----------------------------------------------------------------------------------


def _number(text: str, mark: str) -> int | None:
    """The sequence number in a frame's body, found without parsing the whole frame."""
    at = text.find(f'"body":"{mark}')
    if at < 0:
        return None
    start = at + len(mark) + 8
    end = text.find('"', start)
    return int(text[start:end])


def _cursor(text: str) -> str:
    start = text.index('"cursor":"') + 10
    return text[start : text.index('"', start)]


@dataclass
class Client:
    url: str
    token: str
    received: list[tuple[int, float]] = field(default_factory=list)  # (number, arrival)
    other: int = 0  # frames that were not live bench messages
    cursor: str | None = None
    closes: list[int] = field(default_factory=list)  # close codes seen (1013: too slow)
    ws: ClientConnection | None = None

    async def open(self) -> None:
        """Connect (with the last cursor, if any), retrying while the stream is starting."""
        while True:
            url = self.url if self.cursor is None else f"{self.url}?cursor={self.cursor}"
            ws = await connect(
                url,
                additional_headers={"Authorization": f"Bearer {self.token}"},
                max_size=2**20,
                open_timeout=60,
            )
            try:
                text = await asyncio.wait_for(ws.recv(), 0.05)
            except TimeoutError:  # no early close: it is serving
                self.ws = ws
                return
            except ConnectionClosed as closed:  # "starting": try again
                self.closes.append(closed.rcvd.code if closed.rcvd else 1006)
                await asyncio.sleep(0.2)
                continue
            self.ws = ws
            self._frame(str(text), time.perf_counter())
            return

    def _frame(self, text: str, now: float) -> None:
        self.cursor = _cursor(text)
        number = _number(text, LIVE_MARK)
        if number is None:
            self.other += 1
        else:
            self.received.append((number, now))

    async def listen(self) -> None:
        """Record every frame until cancelled; reconnect with the cursor when closed."""
        while True:
            assert self.ws is not None
            try:
                async for text in self.ws:
                    self._frame(str(text), time.perf_counter())
            except ConnectionClosed:
                pass
            code = self.ws.close_code
            self.closes.append(code if code is not None else 1006)
            await self.open()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Poster(threading.Thread):
    """Posts `count` messages at `rate` a second over HTTP, on schedule: each POST starts at its
    due time in one of POSTERS threads (a POST takes longer than the interval), noting when it
    was sent."""

    def __init__(self, base: str, token: str, channel_id: uuid.UUID, rate: float, count: int):
        super().__init__(name="bench-poster", daemon=True)
        self.base, self.token, self.channel_id = base, token, channel_id
        self.rate, self.count = rate, count
        self.sent: dict[int, float] = {}  # number -> perf_counter just before the POST
        self.answered: dict[int, float] = {}  # number -> perf_counter when the 201 came back
        self.failed: dict[int, str] = {}  # number -> status or error
        self.post_ms: list[float] = []
        self.late = 0  # posts started more than one interval behind the schedule
        self.elapsed = 0.0
        self._local = threading.local()
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        if not hasattr(self._local, "client"):
            headers = {"Authorization": f"Bearer {self.token}"}
            self._local.client = httpx.Client(base_url=self.base, headers=headers, timeout=30)
        return self._local.client

    def _post(self, number: int, due: float) -> None:
        client = self._client()
        sent = time.perf_counter()
        try:
            answer = client.post(
                f"/api/v1/channels/{self.channel_id}/messages",
                json={"body": f"{LIVE_MARK}{number}"},
            )
            status = answer.status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        answered = time.perf_counter()
        took = (answered - sent) * 1000
        with self._lock:
            self.post_ms.append(took)
            if sent - due > 1 / self.rate:
                self.late += 1
            if status == 201:
                self.sent[number] = sent
                self.answered[number] = answered
            else:
                self.failed[number] = str(status)

    def run(self) -> None:
        with ThreadPoolExecutor(POSTERS, thread_name_prefix="bench-post") as pool:
            started = time.perf_counter()
            for number in range(self.count):
                due = started + number / self.rate
                now = time.perf_counter()
                if due > now:
                    time.sleep(due - now)
                pool.submit(self._post, number, due)
        self.elapsed = time.perf_counter() - started


def _warm(base: str, token: str, channel_id: uuid.UUID) -> None:
    """A few posts before anyone listens: the server loads its language models on the first."""
    with httpx.Client(base_url=base, timeout=60) as client:
        for number in range(10):
            client.post(
                f"/api/v1/channels/{channel_id}/messages",
                json={"body": f"bench-warm {number}"},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()


async def _live(server: Server, world: World, tokens: dict[str, str]) -> list[tuple[str, str]]:
    url = f"ws://127.0.0.1:{server.port}/api/v1/stream"
    clients = [Client(url, tokens[world.readers[n % len(world.readers)]]) for n in range(CLIENTS)]
    gate = asyncio.Semaphore(CONNECTING)
    await asyncio.to_thread(_warm, server.base, tokens["bench.author"], world.channel_id)

    async def open_one(client: Client) -> None:
        async with gate:
            await client.open()

    started = time.perf_counter()
    await asyncio.gather(*(open_one(client) for client in clients))
    connected = time.perf_counter() - started
    listeners = [asyncio.create_task(client.listen()) for client in clients]
    await asyncio.sleep(1.0)  # let every stream settle into live delivery

    count = round(RATE * SECONDS)
    poster = Poster(server.base, tokens["bench.author"], world.channel_id, RATE, count)
    cpu_server, cpu_bench = server.cpu_seconds(), time.process_time()
    wall = time.perf_counter()
    poster.start()
    while poster.is_alive():
        await asyncio.sleep(0.1)
    expected = set(poster.sent)
    settle = time.perf_counter() + SETTLE_SECONDS
    while time.perf_counter() < settle:
        if all(len(client.received) >= len(expected) for client in clients):
            break
        await asyncio.sleep(0.1)
    wall = time.perf_counter() - wall
    cpu_server = server.cpu_seconds() - cpu_server
    cpu_bench = time.process_time() - cpu_bench
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)

    latencies: list[float] = []
    after_answer: list[float] = []
    missing = duplicates = unexpected = out_of_order = 0
    order = [number for number, _ in clients[0].received]  # commit order, as client 0 saw it
    for client in clients:
        numbers = [number for number, _ in client.received]
        seen = set(numbers)
        missing += len(expected - seen)
        duplicates += len(numbers) - len(seen)
        unexpected += len(seen - expected)
        out_of_order += numbers != order  # every client is sent the same frames in seq order
        latencies.extend(
            (at - poster.sent[number]) * 1000
            for number, at in client.received
            if number in poster.sent
        )
        after_answer.extend(
            (at - poster.answered[number]) * 1000
            for number, at in client.received
            if number in poster.answered
        )
    latencies.sort()
    after_answer.sort()
    closes = [code for client in clients for code in client.closes]
    p50, p95, p99 = (
        (_percentile(latencies, f) for f in (0.50, 0.95, 0.99))
        if latencies
        else (float("nan"),) * 3
    )
    posts = sorted(poster.post_ms)
    others = sum(client.other for client in clients)
    verdict = "meets" if p99 < TARGET_P99_MS else "MISSES"
    return [
        ("clients", f"{CLIENTS} connected in {connected:.1f} s ({len(world.readers)} users, "
                    "tokens shared)"),
        ("posted", f"{len(poster.sent)} of {count} answered 201 in {poster.elapsed:.1f} s = "
                   f"{len(poster.sent) / poster.elapsed:.1f}/s (target {RATE:.0f}/s; "
                   f"{len(poster.failed)} refused {sorted(set(poster.failed.values()))}, "
                   f"{poster.late} started late, {POSTERS} in flight at most)"),
        ("POST round trip", f"p50 {_percentile(posts, 0.5):.1f} ms, p99 "
                            f"{_percentile(posts, 0.99):.1f} ms"),
        ("delivery latency", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max "
                             f"{latencies[-1] if latencies else float('nan'):.1f} ms over "
                             f"{len(latencies)} deliveries"),
        ("from the 201 answer", f"p50 {_percentile(after_answer, 0.5):.1f} ms, p95 "
                                f"{_percentile(after_answer, 0.95):.1f} ms, p99 "
                                f"{_percentile(after_answer, 0.99):.1f} ms (the stream's share; "
                                "negative: the frame beat the answer)"),
        ("target p99 < 200 ms", f"{verdict} it ({p99:.1f} ms)"),
        ("missing", f"{missing} (of {len(expected) * CLIENTS} expected deliveries); "
                    f"duplicates {duplicates}, unexpected {unexpected}, clients in another "
                    f"order than client 0 {out_of_order}, other frames {others}"),
        ("closed by server", f"{len(closes)} ({', '.join(sorted(set(map(str, closes)))) or '-'})"
                             "; each reconnected with its cursor"),
        ("frames delivered", f"{len(latencies) / wall:.0f}/s to all clients together"),
        ("CPU", f"server {cpu_server:.1f} s, bench clients+poster {cpu_bench:.1f} s over "
                f"{wall:.1f} s wall ({os.cpu_count()} cores, shared with other work)"),
    ]  # fmt: skip


# --- catch-up ---------------------------------------------------------------------------------


def _fill_gap(node: Node, world: World) -> tuple[list[str], float]:
    """CATCHUP messages through the action, CATCHUP_BATCH to a unit of work; their ids."""
    ids: list[str] = []
    started = time.perf_counter()
    for first in range(0, CATCHUP, CATCHUP_BATCH):
        with node.db.writing() as session:
            for number in range(first, min(CATCHUP, first + CATCHUP_BATCH)):
                message = do_post_message(
                    session,
                    world.author,
                    world.channel_id,
                    body=f"{CATCHUP_MARK}{number}",
                    origin=ORIGIN,
                )
                ids.append(str(message.id))
    return ids, time.perf_counter() - started


async def _catch_up(
    server: Server, node: Node, world: World, tokens: dict[str, str]
) -> list[tuple[str, str]]:
    url = f"ws://127.0.0.1:{server.port}/api/v1/stream"
    headers = {"Authorization": f"Bearer {tokens[world.readers[0]]}"}
    async with connect(url, additional_headers=headers, open_timeout=60) as ws:
        await asyncio.sleep(0.5)
        with httpx.Client(base_url=server.base, timeout=30) as client:
            client.post(
                f"/api/v1/channels/{world.channel_id}/messages",
                json={"body": f"{CATCHUP_MARK}before"},
                headers={"Authorization": f"Bearer {tokens['bench.author']}"},
            ).raise_for_status()
        cursor = _cursor(str(await asyncio.wait_for(ws.recv(), 30)))
    posted, filling = await asyncio.to_thread(_fill_gap, node, world)
    await asyncio.sleep(2.0)  # the server's tail polls the outbox every second: let it read them

    received: list[str] = []
    other = 0
    started = time.perf_counter()
    first_frame = float("nan")
    closed = "no"
    async with connect(f"{url}?cursor={cursor}", additional_headers=headers) as ws:
        while len(received) < len(posted):
            try:
                text = str(await asyncio.wait_for(ws.recv(), 30))
            except TimeoutError:
                break
            except ConnectionClosed as error:
                closed = f"yes, {error.rcvd.code if error.rcvd else 1006}"
                break
            if not received:
                first_frame = time.perf_counter() - started
            frame = json.loads(text)
            if frame["object_type"] == "message" and frame["data"]["body"].startswith(CATCHUP_MARK):
                received.append(frame["data"]["id"])
            else:
                other += 1
        took = time.perf_counter() - started
        with contextlib.suppress(
            TimeoutError, ConnectionClosed
        ):  # anything beyond: a duplicate or stray frame
            while True:
                extra = json.loads(str(await asyncio.wait_for(ws.recv(), 1.0)))
                if extra["object_type"] == "message":
                    received.append(extra["data"]["id"])
                else:
                    other += 1
    missing = len(set(posted) - set(received))
    duplicates = len(received) - len(set(received))
    exact = received == posted
    return [
        ("gap", f"{len(posted)} messages written through do_post_message in {filling:.1f} s "
                f"({CATCHUP_BATCH} a unit of work) while the client was away"),
        ("caught up", f"{len(set(received) & set(posted))} of {len(posted)} received in "
                      f"{took:.2f} s after reconnecting with the last cursor = "
                      f"{len(received) / took:.0f} frames/s (first frame after "
                      f"{first_frame * 1000:.0f} ms)"),
        ("exact", f"missing {missing}, duplicates {duplicates}, other frames {other}; "
                  f"ids identical and in posting order: {exact}; closed by server: {closed}"),
    ]  # fmt: skip


# --- run --------------------------------------------------------------------------------------


def run() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="liaison-bench-stream-"))
    node = fresh_node(data_dir)
    dialect = node.db.engine.dialect.name
    world = _seed(node)
    server = Server(data_dir)
    try:
        server.wait_ready()
        tokens = _tokens(server.base, ["bench.author", *world.readers])
        live = asyncio.run(_live(server, world, tokens))
        report(
            f"Stream: {CLIENTS} clients, {RATE:.0f} messages/s for {SECONDS:.0f} s ({dialect}; "
            f"{os.cpu_count()} cores shared by server, clients and other work)",
            live,
        )
        catch_up = asyncio.run(_catch_up(server, node, world, tokens))
        report(f"Stream: reconnect after missing {CATCHUP} events ({dialect})", catch_up)
    finally:
        server.stop()
        node.close()


if __name__ == "__main__":
    run()
