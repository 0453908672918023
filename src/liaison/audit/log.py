"""Append audit entries in the caller's transaction, and sign checkpoints of the tree.

One row (`audit_tree`) holds the size, and the frontier as of the last checkpoint. Each append
updates that row first, which serialises appends: leaf indexes, and the outbox sequence numbers
assigned after them, follow commit order. Keeping the frontier only at checkpoints keeps each
append to one UPDATE and one INSERT.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from liaison.audit.checkpoint import sign_checkpoint
from liaison.audit.entry import EntryFields, entry_bytes
from liaison.audit.merkle import CompactRange, leaf_hash
from liaison.domain.accounts import Principal
from liaison.domain.context import request_id
from liaison.store.models import AuditCheckpoint, AuditEntry, AuditTree
from liaison.store.types import utcnow

CHECKPOINT_EVERY = 64  # entries between signed checkpoints; `liaison audit checkpoint` forces one

_TREE = cast(Table, AuditTree.__table__)
# Taking the next index and locking the tree row are one statement on both engines: the row
# lock (PostgreSQL) or the write lock (SQLite) is then held until the caller commits.
_NEXT_INDEX = (
    update(_TREE)
    .where(_TREE.c.id == 1)
    .values(size=_TREE.c.size + 1)
    .returning(_TREE.c.size, _TREE.c.checkpoint_size)
)
_LOCK_TREE = (
    update(_TREE)
    .where(_TREE.c.id == 1)
    .values(size=_TREE.c.size)
    .returning(_TREE.c.size, _TREE.c.checkpoint_size)
)
_INSERT_ENTRY = insert(cast(Table, AuditEntry.__table__))


@dataclass(frozen=True, slots=True)
class NodeSigner:
    """The node's name and Ed25519 key, as the audit log signs with them."""

    origin: str
    key: Ed25519PrivateKey


def signer_of(session: Session) -> NodeSigner:
    signer = session.info.get("signer")
    if not isinstance(signer, NodeSigner):
        raise RuntimeError("session has no node signer: open it through liaison.node.Node")
    return signer


def content_digest(content: bytes | str) -> str:
    """What the log keeps of protected content: its SHA-256, never the content."""
    data = content.encode() if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def append(
    session: Session,
    actor: Principal | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    label_id: str | None = None,
    decision: str = "granted",
    reason: str = "",
    content_hash: str | None = None,
    actor_name: str | None = None,
) -> int:
    """Append one entry and return its index. Commits or rolls back with the caller's change."""
    size, checkpoint_size = session.execute(_NEXT_INDEX).one()
    fields = EntryFields(
        idx=size - 1,
        at=utcnow(),
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else (actor_name or "anonymous"),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        label_id=label_id,
        decision=decision,
        reason=reason,
        content_hash=content_hash,
        request_id=request_id.get(),
    )
    row = {name: getattr(fields, name) for name in EntryFields.__slots__}
    session.execute(_INSERT_ENTRY, {**row, "leaf_hash": leaf_hash(entry_bytes(fields))})
    if size - checkpoint_size >= CHECKPOINT_EVERY:
        _checkpoint(session, size)
    return fields.idx


def checkpoint_now(session: Session) -> AuditCheckpoint | None:
    """Sign the tree as it stands, unless the latest checkpoint already covers it."""
    size, checkpoint_size = session.execute(_LOCK_TREE).one()
    if size == checkpoint_size:
        return session.get(AuditCheckpoint, size) if size else None
    return _checkpoint(session, size)


def _checkpoint(session: Session, size: int) -> AuditCheckpoint:
    """Extend the frontier kept at the last checkpoint with the leaves since, and sign it."""
    tree = session.get_one(AuditTree, 1, populate_existing=True)
    frontier = CompactRange(tree.checkpoint_size, [bytes.fromhex(h) for h in tree.frontier])
    frontier.extend(
        session.scalars(
            select(AuditEntry.leaf_hash)
            .where(AuditEntry.idx >= tree.checkpoint_size, AuditEntry.idx < size)
            .order_by(AuditEntry.idx)
        )
    )
    signer = signer_of(session)
    signed = sign_checkpoint(signer.key, signer.origin, size, frontier.root(), utcnow())
    row = AuditCheckpoint(
        size=signed.size,
        origin=signed.origin,
        root=signed.root,
        at=signed.timestamp,
        key_id=signed.key_id,
        signature=signed.signature,
    )
    session.add(row)
    tree.checkpoint_size = size
    tree.frontier = [h.hex() for h in frontier.hashes]
    session.flush()
    return row
