"""Posting messages in a channel (issue 6).

Messages posted per second through `do_post_message` (channel access, label preparation and
ceiling check, language detection, mention scan, audit entry, outbox event), against raw core
INSERTs of the same `messages` rows (language and label decided beforehand; no audit, no
outbox) in the same run, each message in a unit of work of its own as a request would write it.
Separately, `detect_language` alone over the same bodies, to show how much of the per-message
cost is language detection. Set LIAISON_BENCH_DATABASE_URL to run on PostgreSQL.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from bench.common import fresh_node, rate, report
from liaison.actions.accounts import do_create_user
from liaison.actions.channels import do_create_channel, do_post_message
from liaison.domain.accounts import SYSTEM, Principal, Role
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.channels import ChannelKind, Precedence
from liaison.domain.language_detection import detect_language
from liaison.node import Node
from liaison.security import Clearance, Label, LabelCategory, TagKind
from liaison.store.ids import new_id
from liaison.store.labels import intern_label
from liaison.store.models import Message

POSTS = int(os.environ.get("LIAISON_BENCH_MESSAGES", 500))
ORIGIN = "bench.liaison"

# Chat-sized bodies in the alliance's working languages, cycled: detection cost depends on them.
BODIES = (
    "Fuel resupply on the MSR is delayed by road closures on the S10 near Walcz.",
    "Le détachement français peut céder 20 000 litres de gazole au point de ravitaillement.",
    "Die Brücke bei Drawsko ist wieder für Kettenfahrzeuge freigegeben.",
    "Corps orders group brought forward to 1400Z; liaison officers acknowledge, please.",
    "Nos drones peuvent survoler la ferme demain matin à l'aube.",
    "OPFOR armour crossing the Drawa at grid 33U WV 8640 3890, heading west.",
    "Roger.",
    "Konwój wyjedzie o 2100Z trasą alternatywną przez Mirosławiec.",
)


def _nato(classification: str, *releasable: str) -> Label:
    category = LabelCategory("Releasable To", TagKind.PERMISSIVE, frozenset(releasable))
    return Label("NATO", classification, (category,) if releasable else ())


DEFAULT = _nato("RESTRICTED", "NATO")
UK_ONLY = _nato("SECRET", "GBR")


def _channel(node: Node) -> tuple[uuid.UUID, Principal, dict[Label, int]]:
    """A channel (ceiling NATO SECRET) and a member cleared to write in it."""
    with node.db.writing() as session:
        user = do_create_user(
            session,
            SYSTEM,
            username="bench.author",
            display_name="Bench Author",
            nation="GBR",
            roles=["officer"],
            password="bench-password-long-enough",
            origin=ORIGIN,
        )
        clearance = Clearance(
            "NATO",
            frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}),
            {"Releasable To": frozenset({"GBR", "NATO"})},
        )
        author = Principal(
            user.id, "bench.author", "Bench Author", "GBR", frozenset({Role.OFFICER}), None,
            clearance,
        )  # fmt: skip
        channel = do_create_channel(
            session,
            author,
            name="Corps liaison net",
            kind=ChannelKind.ALLIANCE,
            ceiling=_nato("SECRET", "NATO"),
            label=_nato("UNCLASSIFIED", "NATO"),
            default_label=DEFAULT,
            members=[Audience(AudienceKind.NATION, code) for code in ("GBR", "FRA", "USA")],
            origin=ORIGIN,
        )
        label_ids = {label: intern_label(session, label).id for label in (DEFAULT, UK_ONLY)}
    return channel.id, author, label_ids


def _posts(
    node: Node, channel_id: uuid.UUID, author: Principal, ids: dict[Label, int]
) -> list[tuple[str, str]]:
    """Every third message carries an explicit UK-only label; the others the channel's default."""
    languages = [detect_language(body) for body in BODIES]  # decided outside the timed loop
    turn = {"action": 0, "raw": 0}

    def label_of(n: int) -> Label | None:
        return UK_ONLY if n % 3 == 2 else None

    def post() -> None:
        n = turn["action"]
        turn["action"] += 1
        with node.db.writing() as session:
            do_post_message(
                session,
                author,
                channel_id,
                body=BODIES[n % len(BODIES)],
                label=label_of(n),
                origin=ORIGIN,
            )

    def raw() -> None:
        n = turn["raw"]
        turn["raw"] += 1
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            "id": new_id(),
            "origin": ORIGIN,
            "created_at": now,
            "updated_at": now,
            "created_by": author.user_id,
            "version": 1,
            "label_id": ids[label_of(n) or DEFAULT],
            "channel_id": channel_id,
            "thread_id": None,
            "author_id": author.user_id,
            "body": BODIES[n % len(BODIES)],
            "language": languages[n % len(BODIES)],
            "precedence": Precedence.ROUTINE.value,
            "ack_required": False,
            "mentions": [],
            "edited_at": None,
            "deleted_at": None,
        }
        with node.db.writing() as session:
            session.execute(insert(Message), [row])

    for _ in range(len(BODIES)):  # warm: models loaded, labels decided, statements compiled
        post()
        raw()
    through_action = rate(post, POSTS)
    plain = rate(raw, POSTS)
    return _lines(through_action, plain)


def _lines(through_action: float, plain: float) -> list[tuple[str, str]]:
    bodies = [BODIES[n % len(BODIES)] for n in range(POSTS)]
    started = time.perf_counter()
    for body in bodies:
        detect_language(body)
    detection = (time.perf_counter() - started) / POSTS
    per_post = 1 / through_action
    return [
        (
            f"post ({POSTS} messages)",
            f"{through_action:.0f}/s through do_post_message vs {plain:.0f}/s raw INSERTs "
            f"= {plain / through_action:.1f}x slower (access, labels, ceiling, language, "
            "audit, outbox)",
        ),
        (
            "per message",
            f"{per_post * 1000:.2f} ms through the action vs {1000 / plain:.2f} ms raw",
        ),
        (
            "of which language detection",
            f"{detection * 1000:.3f} ms a message (detect_language alone, same bodies) "
            f"= {detection / per_post:.0%} of the action's cost",
        ),
    ]


def run() -> None:
    node = fresh_node()
    channel_id, author, label_ids = _channel(node)
    lines = _posts(node, channel_id, author, label_ids)
    report(f"Messages: posting ({node.db.engine.dialect.name})", lines)
    node.close()


if __name__ == "__main__":
    run()
