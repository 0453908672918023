"""Channels and messages: kinds, NATO message precedence, and when an unacknowledged message
is notified again or escalated.

Precedence follows NATO messaging (ACP 121 / STANAG 4406 precedence levels). The intervals are
the node's defaults for a liaison office; the handling times are what the precedence demands
(FLASH: as fast as possible, within minutes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from liaison.security import Label, Policy

MAX_MESSAGE_BYTES = 16 * 1024
MAX_CHANNEL_NAME = 120
_MENTION = re.compile(r"(?<![\w.])@([a-z][a-z0-9._-]{1,63})")


class ChannelKind(StrEnum):
    ALLIANCE = "alliance"
    MISSION = "mission"
    OFFICE = "office"
    ACTIVITY = "activity"
    TOPIC = "topic"


class Precedence(StrEnum):
    ROUTINE = "ROUTINE"
    PRIORITY = "PRIORITY"
    IMMEDIATE = "IMMEDIATE"
    FLASH = "FLASH"

    @property
    def prosign(self) -> str:
        return {"ROUTINE": "R", "PRIORITY": "P", "IMMEDIATE": "O", "FLASH": "Z"}[self.value]


@dataclass(frozen=True, slots=True)
class Alerting:
    """How an unacknowledged message is chased: notified again every `every`, and escalated
    to the reader's superior once `escalate_after` has passed without acknowledgement."""

    every: timedelta
    escalate_after: timedelta


ALERTING: dict[Precedence, Alerting] = {
    Precedence.FLASH: Alerting(every=timedelta(minutes=2), escalate_after=timedelta(minutes=10)),
    Precedence.IMMEDIATE: Alerting(
        every=timedelta(minutes=10), escalate_after=timedelta(minutes=30)
    ),
}


def alerting(precedence: Precedence) -> Alerting | None:
    """How a message of this precedence is chased; None: it is not (ROUTINE, PRIORITY)."""
    return ALERTING.get(precedence)


def check_body(body: str) -> str:
    """A message body as stored: stripped, not empty, at most MAX_MESSAGE_BYTES of UTF-8."""
    stripped = body.strip()
    if not stripped:
        raise ValueError("the message is empty")
    if len(stripped.encode()) > MAX_MESSAGE_BYTES:
        raise OverflowError(f"a message holds at most {MAX_MESSAGE_BYTES} bytes")
    return stripped


def mentioned_usernames(body: str) -> list[str]:
    """The usernames a message mentions with @username, in order, once each."""
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(body):
        seen.setdefault(match.group(1).rstrip(".").lower(), None)
    return list(seen)


def above_ceiling(policy: Policy, ceiling: Label, label: Label) -> str | None:
    """Why `label` may not be posted under `ceiling`, or None when it may.

    A ceiling bounds sensitivity: the classification may not be higher and no restrictive
    value (a special category such as ATOMAL) may be added. Releasability is not bounded: a
    narrower "Releasable To" only means fewer members will see the message.
    """
    classes = policy.index.classes_by_name
    if classes[label.classification].hierarchy > classes[ceiling.classification].hierarchy:
        return f"{label.classification} is above the channel's ceiling"
    allowed = dict(ceiling.restrictive)
    for tag_set, values in label.restrictive:
        extra = values - allowed.get(tag_set, frozenset())
        if extra:
            return f"{tag_set} {', '.join(sorted(extra))} is above the channel's ceiling"
    return None
