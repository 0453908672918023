"""The exact bytes of an audit entry that the Merkle tree hashes.

Canonical JSON (sorted keys, no spaces) of the columns that say who did what to which object
under which label, with what decision and why. Protected content is never here, only its hash.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class EntryFields:
    idx: int
    at: datetime
    actor_id: uuid.UUID | None
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    label_id: str | None
    decision: str
    reason: str
    content_hash: str | None
    request_id: str | None


def entry_bytes(fields: EntryFields) -> bytes:
    return _encode(
        {
            "idx": fields.idx,
            "at": fields.at.isoformat(timespec="microseconds"),
            "actor_id": str(fields.actor_id) if fields.actor_id else None,
            "actor": fields.actor,
            "action": fields.action,
            "object_type": fields.object_type,
            "object_id": fields.object_id,
            "label_id": fields.label_id,
            "decision": fields.decision,
            "reason": fields.reason,
            "content_hash": fields.content_hash,
            "request_id": fields.request_id,
        }
    ).encode()
